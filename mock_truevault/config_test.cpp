// config_from(): --twilio-url's shape, checked by hand (is_base_url) instead of a std::regex
// compiled at every start. The check must accept and refuse exactly what the pattern did.

#include "common/config.hpp"

#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "mock_truevault/service.hpp"

using namespace mock;

TEST_CASE("is_base_url accepts exactly what the former --twilio-url pattern accepted",
          "[truevault][config]") {
  const std::regex pattern(R"(https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?)");
  const std::vector<std::string> urls = {
      "http://127.0.0.1:8082",
      "http://127.0.0.1:8082/",
      "https://api.twilio.com",
      "http://localhost",
      "http://a",
      "http://a/",
      "http://[::1]:8082",
      "http://[::1]",
      "http://[fe80::1%eth0]",
      "http://[]:80",
      "http://[::1",
      "http://::1:80",
      "http://a:",
      "http://a:123456",
      "http://a:12345",
      "http://a:1/",
      "http://a//",
      "http://a/path",
      "http://a:80/path",
      "ftp://a",
      "http:/a",
      "http://",
      "http:///",
      "HTTP://a",
      "http://a_b",
      "http://a-b.c-d.e",
      "http://a:8o",
      "http://user@a",
      "http://a?x=1",
      "http://[::1]x",
      "https://[2001:DB8::A]:443/",
      "",
      " http://a",
      "http://a ",
  };
  for (const auto& url : urls) {
    INFO(url);
    CHECK(truevault::is_base_url(url) == std::regex_match(url, pattern));
  }
}

TEST_CASE("config_from refuses a --twilio-url with a path and strips a trailing slash",
          "[truevault][config]") {
  const auto specs = truevault::option_specs();
  const auto parse = [&](std::vector<const char*> argv) {
    argv.insert(argv.begin(), "mock_truevault");
    auto parsed = common::parse_options(specs, static_cast<int>(argv.size()), argv.data());
    REQUIRE(parsed);
    return truevault::config_from(*parsed, "mock_truevault");
  };
  auto bad = parse({"--twilio-url", "http://127.0.0.1:8082/2010-04-01"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error() ==
        "--twilio-url: 'http://127.0.0.1:8082/2010-04-01' is not a base URL such as "
        "http://127.0.0.1:8082 (scheme://host[:port], no path)");
  auto ok = parse({"--twilio-url", "http://127.0.0.1:9000/"});
  REQUIRE(ok);
  CHECK(ok->twilio_url == "http://127.0.0.1:9000");
}
