#include "common/crypto.hpp"

#include <catch2/catch.hpp>

#include "common/http_util.hpp"

using namespace mock::common;

TEST_CASE("base64 known answers", "[common][crypto]") {
  CHECK(base64_encode("{}") == "e30=");
  CHECK(base64_decode("e30=").value() == "{}");
  CHECK(base64_encode("") == "");
  CHECK(base64_decode("").value() == "");
  CHECK(base64_encode("00000000-0000-0000-0000-000000000000:") ==
        "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==");
  CHECK(base64_decode("YQ==").value() == "a");
  CHECK(base64_decode("YWI=").value() == "ab");
}

TEST_CASE("strict base64 refuses malformed text", "[common][crypto]") {
  const char* bad[] = {"e30", "e3=0", "e30=\n", "e!0=", "====", "Y===", " e30="};
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(base64_decode(b).has_value());
  }
}

TEST_CASE("lenient base64 strips whitespace and accepts missing padding", "[common][crypto]") {
  CHECK(base64_decode_lenient("e30=\n").value() == "{}");
  CHECK(base64_decode_lenient("e3\r\n0=").value() == "{}");
  CHECK(base64_decode_lenient("e30").value() == "{}");
  CHECK(base64_decode_lenient(" YQ ").value() == "a");
  CHECK_FALSE(base64_decode_lenient("e!0=").has_value());
  CHECK_FALSE(base64_decode_lenient("a").has_value());
}

TEST_CASE("hmac_sha1 matches RFC 2202 and Twilio's docs vector", "[common][crypto]") {
  CHECK(base64_encode(hmac_sha1("key", "The quick brown fox jumps over the lazy dog")) ==
        "3nybhbi3iqa8ino29wqQcBydtNk=");
  // twilio-messaging.md 5.1, classic docs example (the URL + sorted params string).
  const std::string data =
      "https://mycompany.com/myapp.php?foo=1&bar=2"
      "CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212";
  CHECK(base64_encode(hmac_sha1("12345", data)) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST_CASE("sha256_hex", "[common][crypto]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("random_bytes gives the requested length and differs", "[common][crypto]") {
  CHECK(random_bytes(16).size() == 16);
  CHECK(random_bytes(16) != random_bytes(16));
}

TEST_CASE("parse_basic_auth", "[common][http]") {
  auto a = parse_basic_auth("Basic MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==");
  REQUIRE(a);
  CHECK(a->username == "00000000-0000-0000-0000-000000000000");
  CHECK(a->password.empty());
  auto b = parse_basic_auth("basic " + base64_encode("AC1:tok:en"));
  REQUIRE(b);
  CHECK(b->username == "AC1");
  CHECK(b->password == "tok:en");
  CHECK_FALSE(parse_basic_auth(""));
  CHECK_FALSE(parse_basic_auth("Bearer abc"));
  CHECK_FALSE(parse_basic_auth("Basic !!!!"));
  CHECK_FALSE(parse_basic_auth("Basic " + base64_encode("no-colon")));
}
