// mockenv: the local environment's launcher. One source file per subcommand (Mailpit's cmd/);
// this file only dispatches. Subcommands that do not exist yet are not listed.

#include <cstdio>
#include <string>

#include "mockenv/replay.hpp"
#include "mockenv/up.hpp"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv, const char* exe);
};

constexpr Subcommand kSubcommands[] = {
    {"up", "run mock_twilio and mock_truevault in this process, wired together",
     mock::mockenv::run_up},
    {"replay", "run scenarios against both servers (in-process, or --against running ones)",
     mock::mockenv::run_replay},
    {"record", "run like 'up' and write the session as a scenario on SIGINT/SIGTERM",
     mock::mockenv::run_record},
};

void print_usage(std::FILE* out) {
  std::fputs(
      "Usage: mockenv <subcommand> [options]\n"
      "\n"
      "A local mock of TrueVault and Twilio's Messages API.\n"
      "\n"
      "Subcommands:\n",
      out);
  for (const auto& sub : kSubcommands) {
    std::fprintf(out, "  %-10s %s\n", sub.name, sub.summary);
  }
  std::fputs("\n'mockenv <subcommand> --help' lists a subcommand's options.\n", out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const auto& sub : kSubcommands) {
    if (command == sub.name) {
      return sub.run(argc - 1, argv + 1, argv[0]);
    }
  }
  std::fprintf(stderr, "mockenv: unknown subcommand '%s' (see mockenv --help)\n", command.c_str());
  return 2;
}
