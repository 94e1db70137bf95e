#pragma once
// `mockenv replay FILE|DIR...` and `mockenv record --out FILE` (issue 5; scenarios/README.md).

#include <map>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "mockenv/up.hpp"

namespace mock::mockenv {

// What `mockenv replay` replays against when no --against is given: both servers on
// 127.0.0.1, ephemeral ports, `clock` (manual by default), the fixture file `fixtures` (""
// = the default one found from `exe`), nothing announced on stdout. `extra` adds `mockenv up`
// options by key (e.g. {"twilio-journal-cap", "2"}).
common::Result<std::unique_ptr<Environment>, std::string> start_local_environment(
    const std::string& fixtures, const std::string& clock, const std::string& log_level,
    const char* exe, const std::map<std::string, std::string>& extra = {});

// Exit codes: 0 all passed, 1 a step failed (or a difference with --diff), 2 bad command line
// or an unreadable scenario.
int run_replay(int argc, char** argv, const char* exe);
// Runs the environment like `up`; on SIGINT or SIGTERM writes both journals as one scenario.
int run_record(int argc, char** argv, const char* exe);

}  // namespace mock::mockenv
