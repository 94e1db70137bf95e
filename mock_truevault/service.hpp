#pragma once
// mock_truevault as a library (house-style §3.1): Config, its options, and make_service(),
// used by main.cpp, mockenv and the tests alike.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/route_info.hpp"
#include "common/service.hpp"

namespace mock::truevault {

inline constexpr int kDefaultPort = 8081;
inline constexpr const char* kDefaultTwilioUrl = "http://127.0.0.1:8082";
inline constexpr std::int64_t kDefaultTwilioTimeoutMs = 5000;

struct Config {
  common::ServerOptions server;  // host, port, port_file, fixtures, db, seed, clock, log_level
  bool sequential_ids = false;   // tests: readable ids; not a flag
  std::string twilio_url = kDefaultTwilioUrl;  // where SMS are forwarded (scheme://host[:port])
  // Not a flag. When set, asked once, at the first SMS, for the URL instead of twilio_url:
  // `mockenv up` builds this service while its mock_twilio is still binding (port 0).
  std::function<std::string()> twilio_url_source;
  std::chrono::milliseconds twilio_timeout{kDefaultTwilioTimeoutMs};  // connect/read/write
};

// server_option_specs("MOCK_TRUEVAULT", 8081) + --twilio-url, --twilio-timeout-ms.
std::vector<common::OptionSpec> option_specs();
// True when `url` is a base URL --twilio-url accepts: http or https, a host name, IPv4 address
// or [IPv6] address, an optional :port of up to 5 digits, an optional trailing '/', no path.
// The shape of https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/? checked by hand:
// compiling that std::regex cost ~0.9M instructions, ~3 % of the server's start-up.
bool is_base_url(std::string_view url);
// Validated Config; an error names the flag.
common::Result<Config, std::string> config_from(const common::ParsedOptions& parsed,
                                                const char* argv0);
// Opens the store, loads the fixture (a mistake -> "FILE: /json/pointer: problem"), installs
// the routes and the control plane. Ready when returned.
common::Result<std::unique_ptr<common::Service>, std::string> make_service(const Config& config);
// Every route a server of this service answers, in registration order: the service's own
// table (the one its registration iterates) followed by the shared control plane.
std::vector<common::RouteInfo> routes();

}  // namespace mock::truevault
