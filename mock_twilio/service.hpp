#pragma once
// mock_twilio as a library: Config, its options and make_service() (common.md's service API),
// used alike by main.cpp, mockenv and the tests (house-style §3.1 "Library + thin main").

#include <memory>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/route_info.hpp"
#include "common/service.hpp"
#include "mock_twilio/domain/callbacks.hpp"
#include "mock_twilio/domain/lifecycle.hpp"

namespace mock::twilio {

inline constexpr int kDefaultPort = 8082;

struct Config {
  common::ServerOptions server;  // host, port, port_file, fixtures (path), db, seed, clock, ...
  bool sequential_ids = false;   // tests: readable ids (SM000...01); not a flag
  // --progression / MOCK_TWILIO_PROGRESSION: immediate | timed | manual (domain/lifecycle.hpp).
  std::string progression = "timed";
  // --step-delays / MOCK_TWILIO_STEP_DELAYS: timed mode's wait in each status, in ms.
  StepDelays step_delays;
  // --callback-* flags: retry policy and resilience options of status callbacks.
  CallbackOptions callbacks;
};

// server_option_specs("MOCK_TWILIO", 8082) + --progression, --step-delays, --callback-*.
std::vector<common::OptionSpec> option_specs();
// Validated Config; the fixture defaults to common::default_fixture_path(argv0).
common::Result<Config, std::string> config_from(const common::ParsedOptions& parsed,
                                                const char* argv0);
// Opens the store (":memory:" or --db), loads the fixture into a fresh store (a fixture
// mistake -> "FILE: /json/pointer: problem"), installs the routes and the control plane.
// The returned service is ready() when returned.
common::Result<std::unique_ptr<common::Service>, std::string> make_service(const Config& config);
// Every route a server of this service answers, in registration order: the service's own
// table (the one its registration iterates) followed by the shared control plane.
std::vector<common::RouteInfo> routes();

}  // namespace mock::twilio
