#include "common/config.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/logging.hpp"

namespace mock::common {
namespace {

std::string strip_dashes(const std::string& flag) {
  std::size_t i = 0;
  while (i < flag.size() && flag[i] == '-') ++i;
  return flag.substr(i);
}

}  // namespace

std::optional<std::string> ParsedOptions::get(const std::string& flag) const {
  auto it = values.find(strip_dashes(flag));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string ParsedOptions::get_or(const std::string& flag, const std::string& fallback) const {
  return get(flag).value_or(fallback);
}

Result<ParsedOptions, std::string> parse_options(const std::vector<OptionSpec>& specs, int argc,
                                                 const char* const* argv, int first) {
  ParsedOptions out;
  for (const auto& s : specs) {
    if (!s.default_value.empty()) out.values[strip_dashes(s.flag)] = s.default_value;
    if (!s.env.empty()) {
      if (const char* v = std::getenv(s.env.c_str()); v != nullptr && *v != '\0') {
        out.values[strip_dashes(s.flag)] = v;
      }
    }
  }
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      out.positional.push_back(arg);
      continue;
    }
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.flag == arg) spec = &s;
    }
    if (spec == nullptr) return fail(fmt::format("unknown option {} (see --help)", arg));
    if (spec->is_switch) {
      if (inline_value) return fail(fmt::format("{} takes no value", arg));
      out.values[strip_dashes(arg)] = "true";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) return fail(fmt::format("{} needs a value", arg));
      inline_value = argv[++i];
    }
    out.values[strip_dashes(arg)] = *inline_value;
  }
  return out;
}

std::string options_help(const std::string& usage, const std::vector<OptionSpec>& specs) {
  std::string out = usage + "\n\nOptions (flag > environment > default):\n";
  for (const auto& s : specs) {
    std::string left = s.flag + (s.is_switch ? "" : " VALUE");
    out += fmt::format("  {:<24} {}", left, s.help);
    if (!s.default_value.empty()) out += fmt::format(" [default: {}]", s.default_value);
    if (!s.env.empty()) out += fmt::format(" (env {})", s.env);
    out += "\n";
  }
  return out;
}

Result<int, std::string> parse_port(const std::string& flag, const std::string& value) {
  int port = -1;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
  if (ec != std::errc() || ptr != value.data() + value.size() || port < 0 || port > 65535) {
    return fail(fmt::format("{}: '{}' is not a port number (0-65535; 0 = ephemeral)", flag, value));
  }
  return port;
}

Result<std::uint64_t, std::string> parse_u64(const std::string& flag, const std::string& value) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size()) {
    return fail(fmt::format("{}: '{}' is not a non-negative integer", flag, value));
  }
  return v;
}

std::vector<OptionSpec> server_option_specs(const std::string& env_prefix, int default_port) {
  return {
      {"--host", env_prefix + "_HOST", "127.0.0.1", "bind address (0.0.0.0 only in a container)"},
      {"--port", env_prefix + "_PORT", std::to_string(default_port), "TCP port; 0 = ephemeral"},
      {"--port-file", env_prefix + "_PORT_FILE", "", "also write the bound port to this file"},
      {"--fixtures", env_prefix + "_FIXTURES", "",
       "fixture file loaded at start and by a bare reset [default: fixtures/default.json]"},
      {"--db", env_prefix + "_DB", ":memory:", "SQLite file that keeps state across restarts"},
      {"--seed", env_prefix + "_SEED", "", "seed for reproducible ids (unset = random)"},
      {"--clock", env_prefix + "_CLOCK", "system", "system, or manual (moved by /_mock/clock)"},
      {"--log-level", env_prefix + "_LOG_LEVEL", "info",
       "trace, debug, info, warn, error, critical or off"},
      {"--journal-cap", env_prefix + "_JOURNAL_CAP", "1000",
       "requests kept in the journal (/_mock/journal); the oldest is evicted"},
  };
}

Result<ServerOptions, std::string> server_options_from(const ParsedOptions& parsed) {
  ServerOptions o;
  o.host = parsed.get_or("host", o.host);
  if (o.host.empty()) return fail(std::string("--host: must not be empty"));
  auto port = parse_port("--port", parsed.get_or("port", "0"));
  if (!port) return fail(port.error());
  o.port = *port;
  o.port_file = parsed.get_or("port-file", "");
  o.fixtures = parsed.get_or("fixtures", "");
  o.db = parsed.get_or("db", o.db);
  if (auto seed = parsed.get("seed"); seed && !seed->empty()) {
    auto v = parse_u64("--seed", *seed);
    if (!v) return fail(v.error());
    o.seed = *v;
  }
  o.clock = parsed.get_or("clock", o.clock);
  if (!make_clock(o.clock)) {
    return fail(fmt::format("--clock: '{}' is not one of system, manual", o.clock));
  }
  o.log_level = parsed.get_or("log-level", o.log_level);
  if (!parse_log_level(o.log_level)) {
    return fail(fmt::format(
        "--log-level: '{}' is not one of trace, debug, info, warn, error, critical, off",
        o.log_level));
  }
  if (auto cap = parsed.get("journal-cap"); cap && !cap->empty()) {
    auto v = parse_u64("--journal-cap", *cap);
    if (!v) return fail(v.error());
    if (*v < 1 || *v > 1000000) {
      return fail(fmt::format("--journal-cap: '{}' is not between 1 and 1000000", *cap));
    }
    o.journal_cap = static_cast<std::size_t>(*v);
  }
  return o;
}

std::string default_fixture_path(const char* argv0) {
  namespace fs = std::filesystem;
  const fs::path local = fs::path("fixtures") / "default.json";
  if (fs::exists(local)) return local.string();
  std::error_code ec;
  fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec && argv0 != nullptr) exe = fs::absolute(argv0, ec);
  if (!ec) {
    const fs::path beside = exe.parent_path() / ".." / ".." / "fixtures" / "default.json";
    if (fs::exists(beside)) return fs::weakly_canonical(beside).string();
  }
  return local.string();
}

IdGenerator make_id_generator(const ServerOptions& server, bool sequential) {
  if (sequential) return IdGenerator::sequential();
  if (server.seed) return IdGenerator(*server.seed);
  return IdGenerator();
}

}  // namespace mock::common
