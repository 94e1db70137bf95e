// Fuzz target: mock_truevault's request handlers through its real route table. One in-process
// mock_truevault (default fixture, sequential ids, manual clock) forwarding SMS to one
// in-process mock_twilio, both served by common::ServerRunner on 127.0.0.1:0. Each input is
// up to four requests (format and invariants: http_fuzz.hpp); both services are reset to
// their fixture before each input, so a crash reproduces from its input alone.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/http_fuzz.hpp"
#include "mock_truevault/service.hpp"
#include "mock_twilio/service.hpp"

namespace {

struct Servers {
  mock::fuzz::Served twilio;
  mock::fuzz::Served truevault;
};

Servers start() {
  Servers servers;
  mock::twilio::Config twilio;
  twilio.server.fixtures = MOCK_FUZZ_FIXTURE;
  twilio.server.clock = "manual";
  twilio.server.log_level = "error";
  twilio.server.journal_cap = 64;
  twilio.sequential_ids = true;
  twilio.callbacks.timeout = std::chrono::milliseconds(500);
  twilio.callbacks.max_attempts = 1;
  auto tw = mock::twilio::make_service(twilio);
  FUZZ_CHECK(tw.has_value(), tw ? "" : tw.error());
  servers.twilio = mock::fuzz::serve(std::move(*tw));

  mock::truevault::Config config;
  config.server.fixtures = MOCK_FUZZ_FIXTURE;
  config.server.clock = "manual";
  config.server.log_level = "error";
  config.server.journal_cap = 64;
  config.sequential_ids = true;
  config.twilio_url = servers.twilio.runner->base_url();
  config.twilio_timeout = std::chrono::milliseconds(5000);
  auto tv = mock::truevault::make_service(config);
  FUZZ_CHECK(tv.has_value(), tv ? "" : tv.error());
  servers.truevault = mock::fuzz::serve(std::move(*tv));
  return servers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Servers servers = start();                      // NOLINT: one pair per process
  static const auto routes = mock::truevault::routes();  // NOLINT: the table, read once
  for (auto* served : {&servers.twilio, &servers.truevault}) {
    auto reset = served->service->reset(std::nullopt, std::nullopt);
    FUZZ_CHECK(reset.has_value(), reset ? "" : reset.error());
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  for (const auto& request : mock::fuzz::parse_input(input, routes)) {
    mock::fuzz::send_and_check(servers.truevault, mock::fuzz::Vendor::kTrueVault, request);
  }
  mock::fuzz::check_alive(servers.truevault);
  mock::fuzz::check_alive(servers.twilio);
  return 0;
}
