// `mockenv replay`: runs scenarios against a fresh in-process environment (the code of `mockenv
// up`, ephemeral ports, manual clock) or against running servers (--against).

#include "mockenv/replay.hpp"

#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "common/config.hpp"
#include "mockenv/up.hpp"
#include "replay/runner.hpp"

namespace mock::mockenv {
namespace {

std::vector<common::OptionSpec> replay_specs() {
  return {
      {"--against", "MOCKENV_REPLAY_AGAINST", "",
       "truevault=URL,twilio=URL: replay against running servers instead"},
      {"--junit", "MOCKENV_REPLAY_JUNIT", "", "also write JUnit XML to this file"},
      {"--diff", "", "", "a recorded scenario: report what differs from its responses"},
      {"--fixtures", "MOCKENV_FIXTURES", "",
       "fixture file of the in-process servers "
       "(its directory resolves the scenarios' fixtures)"},
      {"--clock", "MOCKENV_REPLAY_CLOCK", "manual", "in-process servers' clock: manual or system"},
      {"--log-level", "MOCKENV_REPLAY_LOG_LEVEL", "warn", "in-process servers' log level"},
      {"--help", "", "", "print this help", true},
  };
}

common::Result<replay::Targets, std::string> parse_against(const std::string& text) {
  replay::Targets t;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string item = text.substr(start, end - start);
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    if (eq == std::string::npos || (key != "truevault" && key != "twilio")) {
      return common::fail(fmt::format("--against: '{}' is not truevault=URL or twilio=URL", item));
    }
    (key == "truevault" ? t.truevault : t.twilio) = item.substr(eq + 1);
    start = end + 1;
  }
  if (t.truevault.empty() || t.twilio.empty()) {
    return common::fail(std::string("--against: give both truevault=URL and twilio=URL"));
  }
  return t;
}

}  // namespace

common::Result<std::unique_ptr<Environment>, std::string> start_local_environment(
    const std::string& fixtures, const std::string& clock, const std::string& log_level,
    const char* exe, const std::map<std::string, std::string>& extra) {
  common::ParsedOptions up;
  up.values = {{"host", "127.0.0.1"}, {"twilio-port", "0"},     {"truevault-port", "0"},
               {"clock", clock},      {"log-level", log_level}, {"fixtures", fixtures}};
  for (const auto& [k, v] : extra) {
    up.values[k] = v;
  }
  auto config = up_config_from(up, exe);
  if (!config) {
    return common::fail(config.error());
  }
  return Environment::start(std::move(*config), false);
}

int run_replay(int argc, char** argv, const char* exe) {
  const auto specs = replay_specs();
  auto parsed = common::parse_options(specs, argc, argv, 1);
  if (!parsed) {
    std::fprintf(stderr, "mockenv replay: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->is_set("help")) {
    std::fputs(common::options_help(
                   "Usage: mockenv replay [options] FILE|DIR...\n"
                   "       mockenv replay [options] --diff RECORDED\n\n"
                   "Runs scenarios (scenarios/README.md) against both servers, hosted in this "
                   "process on ephemeral ports unless --against is given. One line per step, "
                   "then 'N passed, N failed'; exit 1 on any failure.",
                   specs)
                   .c_str(),
               stdout);
    return 0;
  }
  std::vector<std::string> args = parsed->positional;
  const bool diff = parsed->is_set("diff");
  if (diff) {
    args.push_back(*parsed->get("diff"));
  }
  if (args.empty()) {
    std::fprintf(stderr, "mockenv replay: name scenario files or directories (see --help)\n");
    return 2;
  }
  auto files = replay::scenario_files(args);
  if (!files) {
    std::fprintf(stderr, "mockenv replay: %s\n", files.error().c_str());
    return 2;
  }
  std::vector<nlohmann::json> scenarios;
  for (const auto& f : *files) {
    auto s = replay::load_scenario(f);
    if (!s) {
      std::fprintf(stderr, "mockenv replay: %s\n", s.error().c_str());
      return 2;
    }
    scenarios.push_back(std::move(*s));
  }

  std::unique_ptr<Environment> env;
  replay::Targets targets;
  if (auto against = parsed->get("against"); against && !against->empty()) {
    auto t = parse_against(*against);
    if (!t) {
      std::fprintf(stderr, "mockenv replay: %s\n", t.error().c_str());
      return 2;
    }
    targets = *t;
  } else {
    auto started =
        start_local_environment(parsed->get_or("fixtures", ""), parsed->get_or("clock", "manual"),
                                parsed->get_or("log-level", "warn"), exe);
    if (!started) {
      std::fprintf(stderr, "mockenv replay: error: %s\n", started.error().c_str());
      return 1;
    }
    env = std::move(*started);
    targets = {env->truevault_url(), env->twilio_url()};
  }

  replay::RunOptions options;
  options.diff = diff;
  std::vector<replay::ScenarioResult> results;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    // Progress on stderr, so that stdout stays the report.
    std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, scenarios.size(),
                 scenarios[i].value("name", (*files)[i]).c_str());
    results.push_back(replay::run_scenario(scenarios[i], (*files)[i], targets, options));
    for (const auto& line : replay::report_lines(results.back(), true, diff)) {
      std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
  }
  std::printf("%s\n", replay::summary_line(results).c_str());
  if (auto junit = parsed->get("junit"); junit && !junit->empty()) {
    std::ofstream out(*junit, std::ios::binary | std::ios::trunc);
    out << replay::junit_xml(results);
    if (!out) {
      std::fprintf(stderr, "mockenv replay: --junit: cannot write %s\n", junit->c_str());
      return 1;
    }
  }
  const bool all_passed = std::all_of(results.begin(), results.end(),
                                      [](const replay::ScenarioResult& r) { return r.passed(); });
  return all_passed ? 0 : 1;
}

}  // namespace mock::mockenv
