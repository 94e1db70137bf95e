#pragma once
// What the mock_twilio tests over HTTP share (integration and contract tests): the default
// fixture's main account, the Messages paths, the test server's configuration and Twilio's
// error envelope. Header-only; each test file keeps the helpers only it uses.

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "mock_twilio/service.hpp"
#include "tests/support/harness.hpp"

namespace mock::testing::twilio {

// fixtures/default.json: the main account, its auth token and its SMS-capable number.
inline const std::string kAc = "AC00000000000000000000000000000001";
inline const std::string kToken = "a0000000000000000000000000000001";
inline const std::string kFrom = "+15557778888";
inline const std::string kMessages = "/2010-04-01/Accounts/" + kAc + "/Messages.json";

inline std::string message_path(const std::string& sid) {
  return "/2010-04-01/Accounts/" + kAc + "/Messages/" + sid + ".json";
}

// A test server's configuration: `fixture`, manual clock, no log, sequential ids. The
// progression stays the service default (timed) unless the caller changes it.
inline ::mock::twilio::Config test_config(const std::string& fixture = fixture_path("default")) {
  ::mock::twilio::Config config;
  config.server.fixtures = fixture;
  config.server.clock = "manual";
  config.server.log_level = "off";
  config.sequential_ids = true;
  return config;
}

// Serves `config` on 127.0.0.1:0 in process; a configuration the service refuses fails the test.
inline std::unique_ptr<RunningService> start_service(const ::mock::twilio::Config& config) {
  auto service = ::mock::twilio::make_service(config);
  if (!service) FAIL(service.error());
  return std::make_unique<RunningService>(std::move(*service));
}

// Twilio's error envelope (twilio-messaging.md): {code, message, more_info, status}.
inline nlohmann::json error_envelope(int status, int code, const std::string& message) {
  return nlohmann::json{{"code", code},
                        {"message", message},
                        {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                        {"status", status}};
}

}  // namespace mock::testing::twilio
