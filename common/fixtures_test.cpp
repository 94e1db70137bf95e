#include "common/fixtures.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

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
  const std::regex& first = errors.compiled("AC[0-9a-f]{32}");
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
