// Both services' routes as httplib sees them (common::httplib_pattern: "[^/]" written as
// ranges, cheaper to compile) accept exactly the paths their tables' patterns accept.

#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/control_plane.hpp"
#include "common/route_info.hpp"
#include "mock_truevault/service.hpp"
#include "mock_twilio/service.hpp"
#include "tests/support/harness.hpp"

namespace {

// `pattern` with each "([^/]+)" replaced by `segment` and escapes dropped.
std::string fill(const std::string& pattern, const std::string& segment) {
  std::size_t slots = 0;
  for (auto at = pattern.find("([^/]+)"); at != std::string::npos;
       at = pattern.find("([^/]+)", at + 1)) {
    ++slots;
  }
  return mock::testing::route_path(pattern, std::vector<std::string>(slots, segment));
}

}  // namespace

TEST_CASE("every route's registered pattern accepts the same paths as its table pattern",
          "[mockenv][routes]") {
  std::vector<mock::common::RouteInfo> routes = mock::twilio::routes();
  for (const auto& r : mock::truevault::routes()) routes.push_back(r);
  for (const auto& r : mock::common::control_plane_routes()) routes.push_back(r);
  REQUIRE(routes.size() > 30);

  const std::vector<std::string> segments = {"AC00000000000000000000000000000001",
                                             "",
                                             "a/b",
                                             "/",
                                             "a\nb",
                                             "\r",
                                             "\x80\xff",
                                             "%2F",
                                             ".",
                                             "..",
                                             "x.json",
                                             "SM1.json",
                                             std::string(1, '\0'),
                                             "\t ~"};
  std::vector<std::string> paths;
  for (const auto& r : routes) {
    const std::string pattern(r.path);
    for (const auto& s : segments) {
      const std::string p = fill(pattern, s);
      paths.push_back(p);
      paths.push_back(p + "/");
      paths.push_back(p + "x");
      if (!p.empty()) paths.push_back(p.substr(0, p.size() - 1));
    }
  }

  std::size_t translated = 0;
  std::size_t accepted = 0;
  for (const auto& r : routes) {
    const std::string pattern(r.path);
    const std::string registered = mock::common::httplib_pattern(pattern);
    if (registered != pattern) ++translated;
    const std::regex original(pattern);
    const std::regex cheap(registered);
    for (const auto& p : paths) {
      const bool expected = std::regex_match(p, original);
      if (expected) ++accepted;
      if (std::regex_match(p, cheap) != expected) {
        FAIL_CHECK(r.method << " " << pattern << " on '" << p << "': table says " << expected);
      }
    }
  }
  CHECK(translated >= 15);  // every route with an id in its path
  CHECK(accepted > routes.size());
}
