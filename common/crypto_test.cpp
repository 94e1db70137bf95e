#include "common/crypto.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

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
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256_hex (low-level API) equals OpenSSL's EVP SHA-256 at every block boundary",
          "[common][crypto]") {
  std::string data;
  for (std::size_t n = 0; n <= 300; ++n) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
    CHECK(sha256_hex(data) == hex);
    data.push_back(static_cast<char>((n * 37 + 11) % 256));
  }
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
