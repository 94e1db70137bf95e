#pragma once
// `mockenv replay FILE|DIR...` and `mockenv record --out FILE` (issue 5; scenarios/README.md).

namespace mock::mockenv {

// Exit codes: 0 all passed, 1 a step failed (or a difference with --diff), 2 bad command line
// or an unreadable scenario.
int run_replay(int argc, char** argv, const char* exe);
// Runs the environment like `up`; on SIGINT or SIGTERM writes both journals as one scenario.
int run_record(int argc, char** argv, const char* exe);

}  // namespace mock::mockenv
