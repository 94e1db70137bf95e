#pragma once
// `mockenv up`: mock_twilio and mock_truevault in one process (house-style §3.10), with
// mock_truevault's SMS forwarding wired to this process's own mock_twilio.
//
// Options. The shared ones (--host, --fixtures, --seed, --clock, --log-level) apply to both
// servers and read MOCKENV_* variables. Every other option of a service is offered with the
// service's prefix and reads that service's own variable, so one variable configures the
// single binary and mockenv alike:
//   --twilio-port     MOCK_TWILIO_PORT      (default 8082)
//   --truevault-port  MOCK_TRUEVAULT_PORT   (default 8081)
//   --twilio-db, --truevault-db, --twilio-port-file, --truevault-port-file, and any option a
//   service adds later (e.g. --twilio-progression).
// mock_truevault's --twilio-url is not offered: mockenv sets it to the bound mock_twilio.
// Precedence stays flag > environment > default.

#include <memory>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"
#include "common/server_runner.hpp"
#include "common/service.hpp"
#include "mock_truevault/service.hpp"
#include "mock_twilio/service.hpp"

namespace mock::mockenv {

struct UpConfig {
  twilio::Config twilio;
  // Its SMS go to this environment's own mock_twilio: Environment::start() sets
  // twilio_url_source (twilio_url is not used).
  truevault::Config truevault;
};

// The option table of `mockenv up` (without --help), derived from the services' own tables.
std::vector<common::OptionSpec> up_option_specs();

// Splits parsed `mockenv up` options into one Config per service, validated by the services'
// own config_from(). An error names the flag as the user typed it ("--twilio-port: ...").
common::Result<UpConfig, std::string> up_config_from(const common::ParsedOptions& parsed,
                                                     const char* argv0);

// The URL at which a server bound to host:port is reached from this machine (a wildcard
// bind address is reached over loopback).
std::string local_url(const std::string& host, int port);

// Both services served in this process, mock_truevault wired to mock_twilio: what `mockenv
// up` runs, and what `mockenv replay` and `mockenv record` start. Stops (TrueVault first) on
// destruction.
class Environment {
 public:
  static common::Result<std::unique_ptr<Environment>, std::string> start(UpConfig config,
                                                                         bool announce);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  std::string truevault_url() const { return truevault_url_; }
  std::string twilio_url() const { return twilio_url_; }
  void stop();

 private:
  Environment() = default;
  // Declared before the runners: a service must outlive the runner serving it.
  std::unique_ptr<common::Service> twilio_;
  std::unique_ptr<common::Service> truevault_;
  std::unique_ptr<common::ServerRunner> twilio_runner_;
  std::unique_ptr<common::ServerRunner> truevault_runner_;
  std::string truevault_url_;
  std::string twilio_url_;
};

// Runs `mockenv up`. argv[0] is "up"; `exe` is the executable's own argv[0]. Blocks until
// SIGINT or SIGTERM. Exit codes: 0 clean stop, 1 start-up failure, 2 bad command line.
int run_up(int argc, char** argv, const char* exe);

}  // namespace mock::mockenv
