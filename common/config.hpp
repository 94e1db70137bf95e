#pragma once
// Table-driven command-line parsing shared by the executables. Precedence: flag >
// environment > default (house-style §3.10). Each option names its flag, its environment
// variable and its default; --help prints the table. Executables validate values once at
// start and fail fast naming the flag.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "common/result.hpp"

namespace mock::common {

struct OptionSpec {
  std::string flag;           // "--port"
  std::string env;            // "MOCK_TWILIO_PORT" ("" = none)
  std::string default_value;  // "" = unset
  std::string help;
  bool is_switch = false;  // takes no value ("--help", "--healthcheck")
};

class ParsedOptions {
 public:
  // The value for `flag` (without dashes is fine too), or nullopt when unset.
  std::optional<std::string> get(const std::string& flag) const;
  std::string get_or(const std::string& flag, const std::string& fallback) const;
  bool is_set(const std::string& flag) const { return get(flag).has_value(); }
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
};

// Parses argv[first..argc). Accepts "--flag value" and "--flag=value". Unknown flags are
// an error naming the flag. Environment values come from getenv at the time of the call.
Result<ParsedOptions, std::string> parse_options(const std::vector<OptionSpec>& specs, int argc,
                                                 const char* const* argv, int first = 1);
std::string options_help(const std::string& usage, const std::vector<OptionSpec>& specs);

// Validators: an error message naming the flag, or the parsed value.
Result<int, std::string> parse_port(const std::string& flag, const std::string& value);
Result<std::uint64_t, std::string> parse_u64(const std::string& flag, const std::string& value);

// The standard server options (--host, --port, --port-file, --fixtures, --db, --seed,
// --clock, --log-level, --journal-cap) for a service whose env prefix is e.g. "MOCK_TWILIO".
std::vector<OptionSpec> server_option_specs(const std::string& env_prefix, int default_port);

// Values of the standard server options, validated.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  std::string fixtures;  // path of the fixture file loaded at start
  std::string db = ":memory:";
  std::optional<std::uint64_t> seed;
  std::string clock = "system";
  std::string log_level = "info";
  std::size_t journal_cap = 1000;  // --journal-cap: requests kept in /_mock/journal
};
Result<ServerOptions, std::string> server_options_from(const ParsedOptions& parsed);

// The id generator a service starts with: sequential when `sequential` (tests: readable ids),
// else seeded by --seed when given, else random.
IdGenerator make_id_generator(const ServerOptions& server, bool sequential);

// Default fixture path: $PWD/fixtures/default.json when it exists, else the one next to the
// build tree of this executable (<exe>/../../fixtures/default.json), else the former.
std::string default_fixture_path(const char* argv0);

}  // namespace mock::common
