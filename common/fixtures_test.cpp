#include "common/fixtures.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/json_util.hpp"

using namespace mock::common;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("read_fixture_file names the file and the problem", "[common][fixtures]") {
  auto bad_json = read_fixture_file(write_temp("mock_fx_bad.json", "{\"twilio\": {,}}"));
  REQUIRE_FALSE(bad_json);
  CHECK(bad_json.error().find("mock_fx_bad.json: invalid JSON") != std::string::npos);

  auto unknown = read_fixture_file(write_temp("mock_fx_unknown.json", R"({"twillio": {}})"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().find("/twillio: unknown key") != std::string::npos);

  auto ok = read_fixture_file(
      write_temp("mock_fx_ok.json", "// comment\n{\"description\": \"d\", \"twilio\": {}}"));
  REQUIRE(ok);
  CHECK(ok->doc["description"] == "d");

  CHECK_FALSE(read_fixture_file("/nonexistent/x.json"));

  // A number past double's range is nlohmann's out_of_range, not a parse_error: it escaped
  // and terminated the process (fuzz/corpus/fixture/crash-number-overflow).
  auto overflow = read_fixture_file(write_temp("mock_fx_overflow.json", R"({"twilio": 1e400})"));
  REQUIRE_FALSE(overflow);
  CHECK(overflow.error().find("mock_fx_overflow.json: invalid JSON") != std::string::npos);
  CHECK(overflow.error().find("number overflow") != std::string::npos);
}

TEST_CASE("FixtureReader reports the pointer of the first problem", "[common][fixtures]") {
  nlohmann::json doc = {{"sid", "ACnothex"}, {"extra", 1}};
  FixtureErrors errors("f.json");
  {
    FixtureReader r(doc, "/twilio/accounts/0", errors);
    r.required_string("sid", "AC[0-9a-f]{32}", "an account SID");
  }
  REQUIRE(errors.first());
  CHECK(*errors.first() ==
        "f.json: /twilio/accounts/0/sid: 'ACnothex' is not an account SID (must match "
        "AC[0-9a-f]{32})");

  FixtureErrors e2("f.json");
  {
    FixtureReader r(doc, "/x", e2);
    r.optional_string("sid");
  }
  REQUIRE(e2.first());
  CHECK(*e2.first() == "f.json: /x/extra: unknown key");

  FixtureErrors e3("f.json");
  {
    const nlohmann::json y = {{"n", "1"}};
    FixtureReader r(y, "/y", e3);
    r.optional_int("n");
  }
  CHECK(*e3.first() == "f.json: /y/n: must be an integer");
}

TEST_CASE("a fixture walk compiles each pattern once, and every field is still checked",
          "[common][fixtures]") {
  const nlohmann::json rows = {{{"sid", "AC00000000000000000000000000000001"}},
                               {{"sid", "AC00000000000000000000000000000002"}},
                               {{"sid", "ACbad"}}};
  FixtureErrors errors("f.json");
  const FixturePattern& first = errors.compiled("AC[0-9a-f]{32}");
  CHECK(&errors.compiled("AC[0-9a-f]{32}") == &first);
  CHECK(&errors.compiled("PN[0-9a-f]{32}") != &first);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FixtureReader r(rows[i], "/twilio/accounts/" + std::to_string(i), errors);
    r.required_string("sid", "AC[0-9a-f]{32}", "an account SID");
  }
  REQUIRE(errors.first());
  CHECK(*errors.first() ==
        "f.json: /twilio/accounts/2/sid: 'ACbad' is not an account SID (must match "
        "AC[0-9a-f]{32})");
}

TEST_CASE("fixture names never escape the directory", "[common][fixtures]") {
  CHECK_FALSE(fixture_path_for_name("/tmp", "../etc/passwd"));
  CHECK_FALSE(fixture_path_for_name("/tmp", "A"));
  CHECK_FALSE(fixture_path_for_name("/tmp", "definitely-not-there"));
}

TEST_CASE("a reset loads the start-up fixture or a named one beside it", "[common][fixtures]") {
  const auto other = write_temp("mock_fx_reset_other.json", "{}");
  const auto startup = (std::filesystem::path(other).parent_path() / "start.json").string();
  CHECK(resolve_reset_fixture(startup, std::nullopt).value() == startup);
  CHECK(resolve_reset_fixture(startup, "mock_fx_reset_other").value() == other);
  CHECK(resolve_reset_fixture(startup, "../x").error() ==
        "fixture name '../x' must match [a-z0-9_-]+");
  CHECK(resolve_reset_fixture("start.json", "definitely-not-there").error() ==
        "fixture 'definitely-not-there' not found in .");
  std::remove(other.c_str());
}

TEST_CASE("json_pointer_token escapes ~ and / (RFC 6901)", "[common][json]") {
  CHECK(json_pointer_token("plain") == "plain");
  CHECK(json_pointer_token("a/b~c") == "a~1b~0c");
  CHECK(json_pointer_token("~1") == "~01");
  CHECK(json_pointer_token("") == "");
}

namespace {

// Strings near `pattern`'s language: for every pattern, a few samples it should match (built
// from its pieces), then each sample with one character deleted, inserted or replaced, and
// every short string over the pattern's characters plus a few others.
std::vector<std::string> probes(const std::string& sample_chars,
                                const std::vector<std::string>& samples) {
  std::vector<std::string> out = samples;
  std::string extra = "/.-+\\$^aZ9\n\r\x7f\x80\xff";
  std::string chars(sample_chars);
  std::sort(chars.begin(), chars.end());
  chars.erase(std::unique(chars.begin(), chars.end()), chars.end());
  for (const auto& s : samples) {
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i < s.size()) out.push_back(s.substr(0, i) + s.substr(i + 1));
      for (const char c : chars + extra) {
        out.push_back(s.substr(0, i) + c + s.substr(i));
        if (i < s.size()) out.push_back(s.substr(0, i) + c + s.substr(i + 1));
      }
    }
  }
  // Every string of up to 2 characters over both sets, of 3 over the samples' characters.
  const std::string all = chars + extra;
  for (const char a : all) {
    out.emplace_back(1, a);
    for (const char b : all) out.push_back(std::string{a, b});
  }
  for (const char a : chars) {
    for (const char b : chars) {
      for (const char c : chars) out.push_back(std::string{a, b, c});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("FixturePattern matches exactly what std::regex_match does", "[common][fixtures]") {
  struct Case {
    std::string pattern;
    bool simple;  // matched by hand
    std::vector<std::string> samples;
  };
  const std::string sid(32, 'a');
  const std::vector<Case> cases = {
      // The loaders' patterns (mock_twilio/store/fixture.cpp).
      {"^SM[0-9a-f]{32}$", true, {"SM" + sid, "SM0123456789abcdef0123456789abcdef"}},
      {"^(SM|MM)[0-9a-f]{32}$", false, {"SM" + sid, "MM" + sid}},
      {"^AC[0-9a-f]{32}$", true, {"AC" + sid}},
      {"^MG[0-9a-f]{32}$", true, {"MG" + sid}},
      {R"(\+[1-9][0-9]{1,14})",
       true,
       {"+15005550006", "+1", "+123456789012345", "+1234567890123456"}},
      {R"(-?[0-9]+\.[0-9]+)", true, {"-0.00790", "1.5", "10.25", "-1."}},
      {"[A-Z]{3}", true, {"USD", "EUR", "US"}},
      // The subset's corners.
      {"", true, {""}},
      {"^$", true, {""}},
      {"abc", true, {"abc"}},
      {"a?b*c+", true, {"c", "abbc", "accc", "ab"}},
      {"x{2,}", true, {"xx", "xxxxx", "x"}},
      {"x{0}y", true, {"y", "xy"}},
      {"x{2,4}y", true, {"xxy", "xxxxy", "xxxxxy"}},
      {"[a-]", true, {"a", "-"}},
      {"[-a]", true, {"a", "-"}},
      {"[--/]+", true, {"-./", "-"}},
      {"[.*$^]+", true, {".*$^", "^"}},
      {R"(a\$)", true, {"a$"}},
      {R"(\/\.\-)", true, {"/.-"}},
      {"a*a*a*b", true, {"aaab", "b", "aaaa"}},
      {"[0-9]+[0-9]{2}", true, {"123", "12"}},
      // Outside the subset: std::regex decides.
      {"[^/]+", false, {"abc", "a/b"}},
      {R"(\d+)", false, {"123"}},
      {"a.c", false, {"abc"}},
      {"x{2,3}?", false, {"xx"}},
      {"a|b", false, {"a"}},
  };
  for (const auto& c : cases) {
    INFO("pattern " << c.pattern);
    const FixturePattern pattern(c.pattern);
    CHECK(pattern.simple() == c.simple);
    const std::regex regex(c.pattern);
    std::string alphabet;
    for (const auto& s : c.samples) alphabet += s;
    std::size_t checked = 0;
    for (const auto& probe : probes(alphabet, c.samples)) {
      const bool expected = std::regex_match(probe, regex);
      if (pattern.matches(probe) != expected) {
        FAIL_CHECK("value '" << probe << "': std::regex says " << expected);
      }
      ++checked;
    }
    CHECK(checked > 100);
  }
}
