#include "mockenv/up.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <future>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "common/server_runner.hpp"
#include "common/service_main.hpp"
#include <signal.h>

namespace mock::mockenv {
namespace {

using common::OptionSpec;
using common::ParsedOptions;

// Options that apply to both servers; everything else is per service.
constexpr std::array<std::string_view, 5> kSharedKeys = {"host", "fixtures", "seed", "clock",
                                                         "log-level"};
// Options mockenv never forwards: --twilio-url is wired to the bound mock_twilio; --help and
// --healthcheck belong to the single binaries' main().
constexpr std::array<std::string_view, 3> kNotForwarded = {"twilio-url", "help", "healthcheck"};

struct ServiceTable {
  std::string_view prefix;  // "twilio" -> --twilio-port
  std::string_view name;    // "mock_twilio"
  std::vector<OptionSpec> specs;
};

std::string key_of(const std::string& flag) { return flag.substr(flag.find_first_not_of('-')); }

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& keys, const std::string& key) {
  return std::ranges::any_of(keys, [&](std::string_view k) { return k == key; });
}

std::array<ServiceTable, 2> service_tables() {
  return {ServiceTable{"twilio", "mock_twilio", twilio::option_specs()},
          ServiceTable{"truevault", "mock_truevault", truevault::option_specs()}};
}

bool forwarded_with_prefix(const std::string& key) {
  return !contains(kSharedKeys, key) && !contains(kNotForwarded, key);
}

// The options one service sees: its defaults, then the shared values, then its prefixed ones.
ParsedOptions service_options(const ServiceTable& table, const ParsedOptions& up) {
  ParsedOptions out;
  for (const auto& spec : table.specs) {
    const std::string key = key_of(spec.flag);
    std::optional<std::string> value;
    if (contains(kSharedKeys, key)) {
      value = up.get(key);
    } else if (forwarded_with_prefix(key)) {
      value = up.get(fmt::format("{}-{}", table.prefix, key));
    }
    if (value) {
      out.values[key] = *value;
    } else if (!spec.default_value.empty()) {
      out.values[key] = spec.default_value;
    }
  }
  return out;
}

// config_from() names flags as the single binary spells them ("--port: ..."); say the
// mockenv flag instead ("--twilio-port: ...").
std::string with_mockenv_flag(const ServiceTable& table, const std::string& error) {
  if (error.rfind("--", 0) == 0) {
    const auto colon = error.find(':');
    const std::string key = key_of(error.substr(0, colon));
    if (colon != std::string::npos && forwarded_with_prefix(key)) {
      return fmt::format("--{}-{}{}", table.prefix, key, error.substr(colon));
    }
  }
  return fmt::format("{}: {}", table.name, error);
}

}  // namespace

std::vector<OptionSpec> up_option_specs() {
  std::vector<OptionSpec> specs;
  for (auto& spec : common::server_option_specs("MOCKENV", 0)) {
    if (contains(kSharedKeys, key_of(spec.flag))) {
      spec.help = "both servers: " + spec.help;
      specs.push_back(std::move(spec));
    }
  }
  for (const auto& table : service_tables()) {
    for (const auto& spec : table.specs) {
      const std::string key = key_of(spec.flag);
      if (!forwarded_with_prefix(key)) {
        continue;
      }
      specs.push_back({fmt::format("--{}-{}", table.prefix, key), spec.env, spec.default_value,
                       fmt::format("{}: {}", table.name, spec.help), spec.is_switch});
    }
  }
  return specs;
}

common::Result<UpConfig, std::string> up_config_from(const ParsedOptions& parsed,
                                                     const char* argv0) {
  // One fixture file for both servers: the same default the single binaries use.
  ParsedOptions up = parsed;
  if (up.get_or("fixtures", "").empty()) {
    up.values["fixtures"] = common::default_fixture_path(argv0);
  }

  auto tables = service_tables();
  auto twilio_config = twilio::config_from(service_options(tables[0], up), argv0);
  if (!twilio_config) {
    return common::fail(with_mockenv_flag(tables[0], twilio_config.error()));
  }
  auto truevault_config = truevault::config_from(service_options(tables[1], up), argv0);
  if (!truevault_config) {
    return common::fail(with_mockenv_flag(tables[1], truevault_config.error()));
  }
  return UpConfig{std::move(*twilio_config), std::move(*truevault_config)};
}

std::string local_url(const std::string& host, int port) {
  if (host == "0.0.0.0") {
    return fmt::format("http://127.0.0.1:{}", port);
  }
  if (host == "::") {
    return fmt::format("http://[::1]:{}", port);
  }
  if (host.find(':') != std::string::npos) {
    return fmt::format("http://[{}]:{}", host, port);
  }
  return fmt::format("http://{}:{}", host, port);
}

common::Result<std::unique_ptr<Environment>, std::string> Environment::start(UpConfig config,
                                                                             bool announce) {
  std::unique_ptr<Environment> env(new Environment());
  // Both services are built at once, on two threads: fixture, store and routes are most of a
  // start-up, so `mockenv up` starts in about the time of the slower server, not of both.
  // mock_truevault asks for mock_twilio's URL at its first SMS, and mock_twilio is bound before
  // mock_truevault serves anything (below), so the URL is known by then.
  config.truevault.twilio_url_source = [self = env.get()] { return self->twilio_url_; };
  auto twilio_build = std::async(
      std::launch::async, [&twilio = config.twilio] { return twilio::make_service(twilio); });
  auto truevault_service = truevault::make_service(config.truevault);
  auto twilio_service = twilio_build.get();
  // Errors in a fixed order (mock_twilio's first), whichever thread finished first.
  if (!twilio_service) return common::fail("mock_twilio: " + twilio_service.error());
  if (!truevault_service) return common::fail("mock_truevault: " + truevault_service.error());
  env->twilio_ = std::move(*twilio_service);
  env->truevault_ = std::move(*truevault_service);
  const auto& twilio_server = config.twilio.server;
  auto twilio_runner = common::ServerRunner::start(
      env->twilio_->http(), {twilio_server.host, twilio_server.port, twilio_server.port_file,
                             "mock_twilio ", announce, common::kDefaultThreads});
  if (!twilio_runner) return common::fail("mock_twilio: " + twilio_runner.error());
  env->twilio_runner_ = std::move(*twilio_runner);
  env->twilio_url_ = local_url(twilio_server.host, env->twilio_runner_->port());

  const auto& truevault_server = config.truevault.server;
  auto truevault_runner = common::ServerRunner::start(
      env->truevault_->http(),
      {truevault_server.host, truevault_server.port, truevault_server.port_file, "mock_truevault ",
       announce, common::kDefaultThreads});
  if (!truevault_runner) return common::fail("mock_truevault: " + truevault_runner.error());
  env->truevault_runner_ = std::move(*truevault_runner);
  env->truevault_url_ = local_url(truevault_server.host, env->truevault_runner_->port());
  return env;
}

void Environment::stop() {
  // TrueVault first: it may still be forwarding an SMS to Twilio. Then destroy it, which
  // closes its pooled keep-alive connection to mock_twilio: httplib 0.11.4's stop() waits for
  // every worker, and a worker holding an idle keep-alive connection only notices the stop
  // after the keep-alive timeout.
  if (truevault_runner_) truevault_runner_->stop();
  truevault_runner_.reset();
  truevault_.reset();
  if (twilio_runner_) twilio_runner_->stop();
  twilio_runner_.reset();
}

Environment::~Environment() { stop(); }

int run_up(int argc, char** argv, const char* exe) {
  auto specs = up_option_specs();
  specs.push_back({"--help", "", "", "print this help", true});
  auto parsed = common::parse_options(specs, argc, argv, 1);
  if (!parsed) {
    std::fprintf(stderr, "mockenv up: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->is_set("help")) {
    std::fputs(common::options_help("Usage: mockenv up [options]\n\n"
                                    "Runs mock_twilio, then mock_truevault with its SMS forwarding "
                                    "wired to that mock_twilio, in one process until SIGINT or "
                                    "SIGTERM.",
                                    specs)
                   .c_str(),
               stdout);
    return 0;
  }
  if (!parsed->positional.empty()) {
    std::fprintf(stderr, "mockenv up: unexpected argument '%s' (see mockenv up --help)\n",
                 parsed->positional.front().c_str());
    return 2;
  }
  auto config = up_config_from(*parsed, exe);
  if (!config) {
    std::fprintf(stderr, "mockenv up: %s\n", config.error().c_str());
    return 2;
  }

  // Before any thread exists, so that every thread inherits the mask (service_main.hpp).
  common::block_shutdown_signals();

  auto env = Environment::start(std::move(*config), true);
  if (!env) {
    std::fprintf(stderr, "mockenv up: error: %s\n", env.error().c_str());
    return 1;
  }

  const int sig = common::wait_for_shutdown_signal();
  std::fprintf(stderr, "mockenv up: received %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*env)->stop();
  return 0;
}

}  // namespace mock::mockenv
