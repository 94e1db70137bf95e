#include "common/form.hpp"

#include <catch2/catch.hpp>

using namespace mock::common;

TEST_CASE("form decoding: plus and %20 are spaces, keys decoded, repeats kept", "[common][form]") {
  auto f = parse_urlencoded(
      "Body=Hello%20from+mock&To=%2B15558675310&MediaUrl=a&MediaUrl=b&"
      "DateSent%3E=2024-01-01&Empty=&Bare");
  CHECK(f.get("Body").value() == "Hello from mock");
  CHECK(f.get("To").value() == "+15558675310");
  CHECK(f.all("MediaUrl") == std::vector<std::string>{"a", "b"});
  CHECK(f.get("DateSent>").value() == "2024-01-01");
  CHECK(f.get("Empty").value().empty());
  CHECK(f.get("Bare").value().empty());
  CHECK_FALSE(f.get("Missing"));
}

TEST_CASE("form decoding keeps malformed escapes literally and decodes UTF-8", "[common][form]") {
  auto f = parse_urlencoded("a=%zz&b=%4&c=%F0%9F%91%8D&&=x");
  CHECK(f.get("a").value() == "%zz");
  CHECK(f.get("b").value() == "%4");
  CHECK(f.get("c").value() == "\xF0\x9F\x91\x8D");
  CHECK(f.get("").value() == "x");
}

TEST_CASE("encoding round-trips", "[common][form]") {
  CHECK(url_encode("a b+c/é") == "a%20b%2Bc%2F%C3%A9");
  CHECK(form_encode_component("a b") == "a+b");
  CHECK(encode_form({{"To", "+1555"}, {"Body", "hi there"}}) == "To=%2B1555&Body=hi+there");
  const std::string s = "x y&z=%+\xC3\xA9";
  CHECK(parse_urlencoded("k=" + url_encode(s)).get("k").value() == s);
  CHECK(parse_urlencoded("k=" + form_encode_component(s)).get("k").value() == s);
}

TEST_CASE("query_of", "[common][form]") {
  CHECK(query_of("/a?b=c") == "b=c");
  CHECK(query_of("/a") == "");
  CHECK(query_of("/a?b=c#frag") == "b=c");
}

TEST_CASE("is_valid_utf8", "[common][form]") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xC3\xA9\xF0\x9F\x91\x8D"));
  CHECK_FALSE(is_valid_utf8("\xC3"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));
}
