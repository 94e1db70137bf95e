// mock_truevault: a local TrueVault (users, groups, policies, auth, SMS Messaging API).
#include "common/service_main.hpp"
#include "mock_truevault/service.hpp"

int main(int argc, char** argv) {
  using namespace mock;
  return common::run_service_main(
      argc, argv, "mock_truevault",
      "Usage: mock_truevault [options]\n"
      "A local mock of TrueVault's users/groups/auth API and SMS Messaging API.",
      truevault::option_specs(),
      [](const common::ParsedOptions& parsed,
         const char* argv0) -> common::Result<std::unique_ptr<common::Service>, std::string> {
        auto config = truevault::config_from(parsed, argv0);
        if (!config) return common::fail(config.error());
        return truevault::make_service(*config);
      });
}
