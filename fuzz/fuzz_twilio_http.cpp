// Fuzz target: mock_twilio's request handlers through its real route table. One in-process
// service (make_service(): default fixture, sequential ids, manual clock, timed progression)
// served by common::ServerRunner on 127.0.0.1:0, one keep-alive client. Each input is up to
// four requests (format and invariants: http_fuzz.hpp); the service is reset to its fixture
// before each input, so a crash reproduces from its input alone.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/http_fuzz.hpp"
#include "mock_twilio/service.hpp"

namespace {

mock::fuzz::Served start() {
  mock::twilio::Config config;
  config.server.fixtures = MOCK_FUZZ_FIXTURE;
  config.server.clock = "manual";
  config.server.log_level = "error";
  config.server.journal_cap = 64;
  config.sequential_ids = true;
  config.callbacks.timeout = std::chrono::milliseconds(500);
  config.callbacks.max_attempts = 1;
  auto service = mock::twilio::make_service(config);
  FUZZ_CHECK(service.has_value(), service ? "" : service.error());
  return mock::fuzz::serve(std::move(*service));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mock::fuzz::Served twilio = start();         // NOLINT: one server per fuzzing process
  static const auto routes = mock::twilio::routes();  // NOLINT: the table, read once
  auto reset = twilio.service->reset(std::nullopt, std::nullopt);
  FUZZ_CHECK(reset.has_value(), reset ? "" : reset.error());
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  for (const auto& request : mock::fuzz::parse_input(input, routes)) {
    mock::fuzz::send_and_check(twilio, mock::fuzz::Vendor::kTwilio, request);
  }
  mock::fuzz::check_alive(twilio);
  return 0;
}
