#pragma once
// mock_replay_lib: load scenarios (scenarios/README.md), run them over HTTP against a
// mock_truevault and a mock_twilio, report. Talks HTTP only (house-style §3.1): the same code
// replays against in-process servers (mockenv replay, tests) and running ones (--against).

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "replay/match.hpp"

namespace mock::replay {

struct Targets {
  std::string truevault;  // base URL, e.g. http://127.0.0.1:8081
  std::string twilio;
};

// Parses a scenario file (comments allowed) and checks its shape; errors read
// "FILE: /json/pointer: problem".
common::Result<nlohmann::json, std::string> load_scenario(const std::string& path);
// Files named on the command line; a directory stands for its *.json files, sorted.
common::Result<std::vector<std::string>, std::string> scenario_files(
    const std::vector<std::string>& args);

struct StepResult {
  enum class Outcome { kPass, kFail, kSkip };
  std::string id;
  Outcome outcome = Outcome::kPass;
  int status = 0;  // 0: no request (assertion-only step, or no response)
  long long ms = 0;
  std::vector<std::string> details;  // failure or diff lines, without indentation
};

struct ScenarioResult {
  std::string name;
  std::string file;
  std::string setup_error;  // reset/clock failure: no step ran
  std::vector<StepResult> steps;
  bool passed() const;
};

struct RunOptions {
  bool diff = false;             // --diff: report every difference from the recorded responses
  int assert_timeout_ms = 3000;  // side-effect assertions are polled up to this long
};

// Runs one scenario: resets both servers to its fixture and seed, empties the journals, sets
// the clock, then runs the steps in order; after the first failing step the rest are skipped.
// The built-in variable {{sink}} is the URL of a callback receiver this call hosts (answers
// 204 to anything): use it as StatusCallback.
ScenarioResult run_scenario(const nlohmann::json& scenario, const std::string& file,
                            const Targets& targets, const RunOptions& options);

// The report: one line per step ("PASS id 200 3ms", "FAIL ..." + indented details), without
// the time when show_time is false (tests compare exact lines).
std::vector<std::string> report_lines(const ScenarioResult& result, bool show_time = true,
                                      bool diff = false);
// "N passed, N failed" (+ ", N skipped" when some were).
std::string summary_line(const std::vector<ScenarioResult>& results);
// JUnit XML: one testsuite per scenario, one testcase per step.
std::string junit_xml(const std::vector<ScenarioResult>& results);

}  // namespace mock::replay
