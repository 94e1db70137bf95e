// Label `scenario`: every shipped scenarios/*.json replayed against both servers in this
// process (mockenv's own environment), a deliberately broken scenario whose report is
// asserted line by line, determinism of the journals, the journal over HTTP and the
// export -> replay -> diff round trip.

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "mockenv/replay.hpp"
#include "replay/runner.hpp"
#include "tests/support/harness.hpp"

namespace {

using mock::replay::RunOptions;
using mock::replay::Targets;
using nlohmann::json;

std::unique_ptr<mock::mockenv::Environment> start_env(
    const std::map<std::string, std::string>& extra = {}) {
  auto env = mock::mockenv::start_local_environment(mock::testing::fixture_path(), "manual", "warn",
                                                    "scenarios_test", extra);
  REQUIRE(env);
  return std::move(*env);
}

Targets targets_of(const mock::mockenv::Environment& env) {
  return {env.truevault_url(), env.twilio_url()};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = mock::testing::temp_dir("scenarios");
  const auto path = (std::filesystem::path(dir) / name).string();
  std::ofstream(path) << text;
  return path;
}

json get_json(const std::string& base, const std::string& path) {
  httplib::Client c(base);
  auto r = c.Get(path.c_str());
  REQUIRE(r);
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("every shipped scenario passes", "[scenario]") {
  auto env = start_env();
  const auto dir = mock::testing::source_dir() + "/scenarios";
  auto files = mock::replay::scenario_files({dir});
  REQUIRE(files);
  REQUIRE(files->size() >= 8);
  for (const auto& file : *files) {
    DYNAMIC_SECTION(std::filesystem::path(file).filename().string()) {
      auto scenario = mock::replay::load_scenario(file);
      REQUIRE(scenario);
      const auto result = mock::replay::run_scenario(*scenario, file, targets_of(*env), {});
      INFO(joined(mock::replay::report_lines(result)));
      CHECK(result.passed());
      CHECK_FALSE(result.steps.empty());
    }
  }
}

TEST_CASE("a broken scenario reports the first mismatch, skips the rest, exits as failed",
          "[scenario]") {
  auto env = start_env();
  const auto path = write_temp("broken.json", R"({
    // deliberately broken
    "name": "broken", "fixture": "default", "seed": 1,
    "steps": [
      { "id": "clock_ok", "service": "twilio", "method": "GET", "path": "/_mock/clock",
        "expect": { "status": 200, "json": { "mode": "manual" } } },
      { "id": "clock_wrong", "service": "twilio", "method": "GET", "path": "/_mock/clock",
        "expect": { "status": 200, "json": { "mode": "system" } } },
      { "id": "never_runs", "service": "twilio", "method": "GET", "path": "/_mock/clock" }
    ] })");
  auto scenario = mock::replay::load_scenario(path);
  REQUIRE(scenario);
  const auto result = mock::replay::run_scenario(*scenario, "broken.json", targets_of(*env), {});
  CHECK_FALSE(result.passed());
  CHECK(mock::replay::report_lines(result, false) ==
        std::vector<std::string>{
            "scenario broken (broken.json)",
            "PASS clock_ok 200",
            "FAIL clock_wrong 200",
            R"(  at /mode: expected "system", actual "manual")",
            R"(  body: {"mode":"manual","now":"2026-01-01T00:00:00.000Z"})",
            "SKIP never_runs",
        });
  CHECK(mock::replay::summary_line({result}) == "1 passed, 1 failed, 1 skipped");
  const auto xml = mock::replay::junit_xml({result});
  CHECK(xml.find(R"(<testsuite name="broken" tests="3" failures="1" skipped="1")") !=
        std::string::npos);
  CHECK(
      xml.find(
          R"(<failure message="at /mode: expected &quot;system&quot;, actual &quot;manual&quot;">)") !=
      std::string::npos);

  // Status, unknown variable and side-effect failures, each with its exact lines.
  const auto path2 = write_temp("broken2.json", R"({
    "name": "broken2", "fixture": "default",
    "steps": [
      { "id": "unknown_route", "service": "twilio", "method": "GET", "path": "/_mock/clock",
        "expect": { "status": 201 } } ] })");
  auto s2 = mock::replay::load_scenario(path2);
  REQUIRE(s2);
  auto r2 = mock::replay::run_scenario(*s2, "b2", targets_of(*env), {});
  CHECK(mock::replay::report_lines(r2, false) ==
        std::vector<std::string>{"scenario broken2 (b2)", "FAIL unknown_route 200",
                                 "  status: expected 201, actual 200",
                                 R"(  body: {"mode":"manual","now":"2026-01-01T00:00:00.000Z"})"});
  const auto path3 = write_temp("broken3.json", R"({
    "steps": [
      { "id": "no_such_var", "service": "truevault", "method": "GET", "path": "/v1/users/{{nobody}}" },
      { "id": "no_sms", "assert": [ { "sms": { "to": "+15550001111", "body": "hello" } } ] },
      { "id": "bad_pattern", "assert": [ { "sms": { "to": "+15550001111", "body": "(" } } ] } ] })");
  auto s3 = mock::replay::load_scenario(path3);
  REQUIRE(s3);
  RunOptions fast;
  fast.assert_timeout_ms = 50;
  fast.diff = true;  // diff mode runs every step even after a failure
  auto r3 = mock::replay::run_scenario(*s3, "b3", targets_of(*env), fast);
  CHECK(mock::replay::report_lines(r3, false) ==
        std::vector<std::string>{
            "scenario broken3 (b3)", "FAIL no_such_var -", "  unknown variable {{nobody}}",
            "FAIL no_sms -",
            "  sms to +15550001111 with body /hello/: expected at least 1, found 0",
            "FAIL bad_pattern -", "  sms: body pattern /(/ is invalid: missing ): ("});
}

TEST_CASE("a malformed scenario is refused naming the pointer", "[scenario]") {
  const auto path = write_temp("bad.json", R"({"steps": [{"id": "x", "service": "twilio",
    "method": "GET", "path": "/", "expct": {}}]})");
  auto s = mock::replay::load_scenario(path);
  REQUIRE_FALSE(s);
  CHECK(s.error() == path + ": /steps/0/expct: unknown key");
  const auto path2 = write_temp("bad2.json", R"({"steps": [{"id": "x", "service": "stripe",
    "method": "GET", "path": "/"}]})");
  auto s2 = mock::replay::load_scenario(path2);
  REQUIRE_FALSE(s2);
  CHECK(s2.error() == path2 + ": /steps/0/service: must be truevault or twilio");
  // out_of_range (a number past double), not only parse_error, is refused, not thrown
  // (fuzz/corpus/scenario/crash-number-overflow terminated the process).
  const auto path3 = write_temp("bad3.json", R"({"steps": [], "seed": 1e400})");
  auto s3 = mock::replay::load_scenario(path3);
  REQUIRE_FALSE(s3);
  CHECK(s3.error().starts_with(path3 + ": not valid JSON: "));
  CHECK(s3.error().find("number overflow") != std::string::npos);
}

TEST_CASE("with the scenario's seed and the manual clock, two replays give identical journals",
          "[scenario][determinism]") {
  auto env = start_env();
  const auto file = mock::testing::source_dir() + "/scenarios/guide_unread_messages_sms.json";
  auto scenario = mock::replay::load_scenario(file);
  REQUIRE(scenario);
  std::vector<json> journals;
  for (int run = 0; run < 2; ++run) {
    const auto result = mock::replay::run_scenario(*scenario, file, targets_of(*env), {});
    INFO(joined(mock::replay::report_lines(result)));
    REQUIRE(result.passed());
    journals.push_back({get_json(env->truevault_url(), "/_mock/journal"),
                        get_json(env->twilio_url(), "/_mock/journal")});
  }
  CHECK(journals[0] == journals[1]);
  // Not vacuous: the SMS and its forwarding are there.
  CHECK(journals[0][0]["entries"].size() == 1);
  CHECK(journals[0][1]["entries"].size() == 2);
}

TEST_CASE("the journal: bodies of content-reader routes, no control plane, oldest evicted",
          "[scenario][journal]") {
  auto env = start_env({{"twilio-journal-cap", "2"}});
  httplib::Client twilio(env->twilio_url());
  twilio.set_basic_auth("AC00000000000000000000000000000001", "a0000000000000000000000000000001");
  const std::string path = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json";
  for (const char* body : {"one", "two", "three"}) {
    auto r =
        twilio.Post(path.c_str(), std::string("To=%2B15550001111&From=%2B15557778888&Body=") + body,
                    "application/x-www-form-urlencoded");
    REQUIRE(r);
    CHECK(r->status == 201);
  }
  twilio.Get("/_mock/messages");  // control plane: not journaled
  const auto journal = get_json(env->twilio_url(), "/_mock/journal");
  CHECK(journal["cap"] == 2);
  CHECK(journal["evicted"] == 1);
  REQUIRE(journal["entries"].size() == 2);
  const auto& last = journal["entries"][1];
  CHECK(last["seq"] == 3);
  CHECK(last["method"] == "POST");
  CHECK(last["path"] == path);
  CHECK(last["body"] == "To=%2B15550001111&From=%2B15557778888&Body=three");
  CHECK(last["status"] == 201);
  CHECK(last["response"]["body"] == "three");
  CHECK(last["time"] == "2026-01-01T00:00:00.000Z");

  httplib::Client c(env->twilio_url());
  auto cleared = c.Delete("/_mock/journal");
  REQUIRE(cleared);
  CHECK(cleared->status == 200);
  CHECK(get_json(env->twilio_url(), "/_mock/journal")["entries"].empty());
}

TEST_CASE("export -> replay -> diff: a session exported by the server replays green",
          "[scenario][record]") {
  auto env = start_env();
  const auto file = mock::testing::source_dir() + "/scenarios/patient_login_read_logout.json";
  auto scenario = mock::replay::load_scenario(file);
  REQUIRE(scenario);
  REQUIRE(mock::replay::run_scenario(*scenario, file, targets_of(*env), {}).passed());

  httplib::Client tv(env->truevault_url());
  auto exported =
      tv.Post("/_mock/journal/export", R"({"name": "exported", "seed": 7})", "application/json");
  REQUIRE(exported);
  REQUIRE(exported->status == 200);
  const auto path = write_temp("exported.json", exported->body);
  auto recorded = mock::replay::load_scenario(path);
  REQUIRE(recorded);
  CHECK((*recorded)["steps"].size() == 4);
  CHECK((*recorded)["steps"][1]["basic_auth"] == "{{access_token}}:");

  const auto replayed = mock::replay::run_scenario(*recorded, path, targets_of(*env), {});
  INFO(joined(mock::replay::report_lines(replayed)));
  CHECK(replayed.passed());
  RunOptions diff;
  diff.diff = true;
  const auto diffed = mock::replay::run_scenario(*recorded, path, targets_of(*env), diff);
  INFO(joined(mock::replay::report_lines(diffed, true, true)));
  CHECK(diffed.passed());
}
