#include "common/route_info.hpp"

#include <regex>
#include <string>

#include <catch2/catch.hpp>

using namespace mock::common;

TEST_CASE("httplib_pattern writes [^/] as ranges that accept exactly the same bytes",
          "[common][routes]") {
  CHECK(httplib_pattern("/v1/users") == "/v1/users");
  CHECK(httplib_pattern(R"(/a/([^/]+)/b\.json)") == R"(/a/([\x00-.0-\x7f\x80-\xff]+)/b\.json)");
  CHECK(httplib_pattern(R"(\[^/])") == R"(\[^/])");  // an escaped bracket is a literal
  const std::regex original("[^/]");
  const std::regex ranges(httplib_pattern("[^/]"));
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    INFO("byte " << b);
    CHECK(std::regex_match(s, original) == std::regex_match(s, ranges));
    CHECK(std::regex_match(s, ranges) == (b != '/'));
  }
}
