// End to end: `mockenv replay --against` replays the shipped scenarios against servers that
// are already running (here a `mockenv up` process with a manual clock, as a CI job would
// start it), with JUnit output, and fails with exit 1 when a scenario does not hold.

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/harness.hpp"

namespace {

using mock::testing::bin_path;
using mock::testing::exit_code;
using mock::testing::Process;
using mock::testing::TempDir;

struct RunningEnv {
  std::unique_ptr<Process> process;
  std::string against;  // "truevault=URL,twilio=URL"
};

RunningEnv start_mockenv(const TempDir& dir) {
  const std::string twilio_file = dir.file("twilio.port");
  const std::string truevault_file = dir.file("truevault.port");
  RunningEnv env;
  env.process = std::make_unique<Process>(std::vector<std::string>{
      bin_path("mockenv"), "up", "--twilio-port", "0", "--truevault-port", "0",
      "--twilio-port-file", twilio_file, "--truevault-port-file", truevault_file, "--clock",
      "manual", "--fixtures", mock::testing::fixture_path("default")});
  const int twilio = env.process->wait_for_port_file(twilio_file);
  const int truevault = env.process->wait_for_port_file(truevault_file);
  INFO("mockenv stderr: " << env.process->stderr_text());
  REQUIRE(twilio > 0);
  REQUIRE(truevault > 0);
  env.against = "truevault=http://127.0.0.1:" + std::to_string(truevault) +
                ",twilio=http://127.0.0.1:" + std::to_string(twilio);
  return env;
}

}  // namespace

TEST_CASE("mockenv replay --against runs every shipped scenario on running servers",
          "[e2e][replay]") {
  TempDir dir("mock-e2e-replay");
  auto env = start_mockenv(dir);
  const std::string junit = dir.file("junit.xml");
  Process replay({bin_path("mockenv"), "replay", "--against", env.against, "--junit", junit,
                  mock::testing::source_dir() + "/scenarios"});
  const int status = replay.wait_exit(120000);
  INFO("replay stdout: " << replay.stdout_text());
  INFO("replay stderr: " << replay.stderr_text());
  CHECK(exit_code(status) == 0);
  const std::string out = replay.stdout_text();
  CHECK(out.find("FAIL") == std::string::npos);
  CHECK(out.find(" passed, 0 failed") != std::string::npos);
  const std::string xml = mock::testing::read_file(junit);
  CHECK(xml.find("<testsuite") != std::string::npos);
  CHECK(xml.find("failures=\"0\"") != std::string::npos);
  CHECK(env.process->stop(SIGTERM) == 0);
}

TEST_CASE("mockenv replay --against fails with exit 1 on a scenario that does not hold",
          "[e2e][replay]") {
  TempDir dir("mock-e2e-replay-fail");
  auto env = start_mockenv(dir);
  const std::string scenario = mock::testing::write_file(dir.file("wrong.json"), R"({
    "name": "wrong_status",
    "steps": [
      { "id": "health", "service": "twilio", "method": "GET", "path": "/_mock/health",
        "expect": { "status": 201 } }
    ]
  })");
  Process replay({bin_path("mockenv"), "replay", "--against", env.against, scenario});
  const int status = replay.wait_exit(60000);
  INFO("replay stdout: " << replay.stdout_text());
  INFO("replay stderr: " << replay.stderr_text());
  CHECK(exit_code(status) == 1);
  CHECK(replay.stdout_text().find("0 passed, 1 failed") != std::string::npos);
  CHECK(env.process->stop(SIGTERM) == 0);
}
