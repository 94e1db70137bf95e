#pragma once
// The body of every server executable's main() (house-style §3.1: main parses config, builds
// the service, runs it, and alone handles signals), written once for mock_twilio,
// mock_truevault and mockenv.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/service.hpp"

namespace mock::common {

// Blocks SIGINT and SIGTERM in the calling thread; call before any thread starts so that
// every thread inherits the mask and wait_for_shutdown_signal() receives them.
void block_shutdown_signals();
// Waits for SIGINT or SIGTERM (blocked beforehand); returns the signal number.
int wait_for_shutdown_signal();

// Probes GET http://host:port/_mock/health; true on 200 (for --healthcheck and containers).
bool probe_health(const std::string& host, int port);

using ServiceFactory = std::function<Result<std::unique_ptr<Service>, std::string>(
    const ParsedOptions& parsed, const char* argv0)>;

// Parses argv against `specs` (plus --help and --healthcheck), builds the service, serves it
// until SIGINT/SIGTERM, then stops cleanly. Exit codes: 0 clean stop, 1 start-up failure
// (message on stderr naming the problem), 2 bad command line.
int run_service_main(int argc, char** argv, const std::string& name, const std::string& usage,
                     std::vector<OptionSpec> specs, const ServiceFactory& factory);

}  // namespace mock::common
