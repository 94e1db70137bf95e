// `mockenv record --out FILE`: runs the environment like `mockenv up`; on SIGINT or SIGTERM
// reads both servers' journals (GET /_mock/journal), merges them and writes one scenario.

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <httplib.h>

#include "common/journal.hpp"
#include "common/service_main.hpp"
#include "mockenv/replay.hpp"
#include "mockenv/up.hpp"
#include <signal.h>

namespace mock::mockenv {

namespace {

common::Result<std::vector<nlohmann::json>, std::string> journal_of(const std::string& url) {
  httplib::Client client(url);
  auto r = client.Get("/_mock/journal");
  if (!r || r->status != 200) {
    return common::fail(fmt::format("GET {}/_mock/journal failed", url));
  }
  auto body = nlohmann::json::parse(r->body, nullptr, false);
  if (body.is_discarded() || !body.contains("entries")) {
    return common::fail(fmt::format("GET {}/_mock/journal: not a journal", url));
  }
  if (body.value("evicted", 0) > 0) {
    std::fprintf(stderr,
                 "mockenv record: warning: %s evicted its oldest requests (raise the "
                 "journal cap)\n",
                 url.c_str());
  }
  return body["entries"].get<std::vector<nlohmann::json>>();
}

}  // namespace

int run_record(int argc, char** argv, const char* exe) {
  auto specs = up_option_specs();
  specs.push_back({"--out", "", "", "scenario file to write on SIGINT or SIGTERM (required)"});
  specs.push_back({"--name", "", "", "scenario name [default: the file name]"});
  specs.push_back(
      {"--keep-pii", "", "", "keep TrueVault attribute values (masked otherwise)", true});
  specs.push_back({"--help", "", "", "print this help", true});
  auto parsed = common::parse_options(specs, argc, argv, 1);
  if (!parsed) {
    std::fprintf(stderr, "mockenv record: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->is_set("help")) {
    std::fputs(common::options_help("Usage: mockenv record --out FILE [options]\n\n"
                                    "Runs both servers like 'mockenv up'. Drive them with your "
                                    "client; on Ctrl-C (SIGINT) or SIGTERM the session is "
                                    "written as a scenario.",
                                    specs)
                   .c_str(),
               stdout);
    return 0;
  }
  const std::string out = parsed->get_or("out", "");
  if (out.empty()) {
    std::fprintf(stderr, "mockenv record: --out: required (the scenario file to write)\n");
    return 2;
  }
  auto config = up_config_from(*parsed, exe);
  if (!config) {
    std::fprintf(stderr, "mockenv record: %s\n", config.error().c_str());
    return 2;
  }
  common::RecordOptions options;
  options.name = parsed->get_or("name", std::filesystem::path(out).stem().string());
  options.fixture = std::filesystem::path(config->twilio.server.fixtures).stem().string();
  options.seed = config->twilio.server.seed;
  options.keep_pii = parsed->is_set("keep-pii");

  if (config->twilio.server.clock == "manual") {
    // Entries of the two servers are merged by their clock's time; a manual clock stands still.
    std::fprintf(stderr,
                 "mockenv record: warning: with --clock manual the two servers' requests "
                 "cannot be interleaved by time; each server's order is kept, TrueVault's "
                 "first\n");
  }
  common::block_shutdown_signals();
  auto env = Environment::start(std::move(*config), true);
  if (!env) {
    std::fprintf(stderr, "mockenv record: error: %s\n", env.error().c_str());
    return 1;
  }
  const int sig = common::wait_for_shutdown_signal();
  std::fprintf(stderr, "mockenv record: received %s, writing %s\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM", out.c_str());
  std::vector<nlohmann::json> entries;
  for (const auto& url : {(*env)->truevault_url(), (*env)->twilio_url()}) {
    auto journal = journal_of(url);
    if (!journal) {
      std::fprintf(stderr, "mockenv record: error: %s\n", journal.error().c_str());
      return 1;
    }
    entries.insert(entries.end(), journal->begin(), journal->end());
  }
  (*env)->stop();
  const auto scenario = common::to_scenario(common::merge_journals(std::move(entries)), options);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << scenario.dump(2) << "\n";
  if (!file) {
    std::fprintf(stderr, "mockenv record: error: cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "mockenv record: wrote %zu steps to %s\n", scenario["steps"].size(),
               out.c_str());
  return 0;
}

}  // namespace mock::mockenv
