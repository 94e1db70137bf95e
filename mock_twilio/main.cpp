// mock_twilio: a local Twilio Messages API (twilio-messaging.md). Everything lives in
// mock_twilio_lib; this file only wires the command line to it (house-style §3.1).
#include "common/service_main.hpp"
#include "mock_twilio/service.hpp"

int main(int argc, char** argv) {
  using namespace mock;
  return common::run_service_main(
      argc, argv, "mock_twilio",
      "usage: mock_twilio [options]\n"
      "A local mock of Twilio's Messages API (2010-04-01) backed by SQLite.\n",
      twilio::option_specs(),
      [](const common::ParsedOptions& parsed,
         const char* argv0) -> common::Result<std::unique_ptr<common::Service>, std::string> {
        auto config = twilio::config_from(parsed, argv0);
        if (!config) return common::fail(config.error());
        return twilio::make_service(*config);
      });
}
