#pragma once
// mock_truevault as a library (house-style §3.1): Config, its options, and make_service(),
// used by main.cpp, mockenv and the tests alike.

#include <chrono>
#include <memory>
#include <string>
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
  std::chrono::milliseconds twilio_timeout{kDefaultTwilioTimeoutMs};  // connect/read/write
};

// server_option_specs("MOCK_TRUEVAULT", 8081) + --twilio-url, --twilio-timeout-ms.
std::vector<common::OptionSpec> option_specs();
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
