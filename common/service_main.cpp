#include "common/service_main.hpp"

#include <cstdio>

#include <httplib.h>

#include "common/server_runner.hpp"
#include <signal.h>

namespace mock::common {

void block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A peer closing a connection mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
}

int wait_for_shutdown_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

bool probe_health(const std::string& host, int port) {
  const std::string target = (host == "0.0.0.0" || host == "::") ? "127.0.0.1" : host;
  httplib::Client client(target, port);
  client.set_connection_timeout(2);
  client.set_read_timeout(2);
  auto res = client.Get("/_mock/health");
  return res && res->status == 200;
}

int run_service_main(int argc, char** argv, const std::string& name, const std::string& usage,
                     std::vector<OptionSpec> specs, const ServiceFactory& factory) {
  specs.push_back(
      {"--healthcheck", "", "", "probe /_mock/health on --host/--port; exit 0 or 1", true});
  specs.push_back({"--help", "", "", "print this help", true});
  auto parsed = parse_options(specs, argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), parsed.error().c_str());
    return 2;
  }
  if (parsed->is_set("help")) {
    std::fputs(options_help(usage, specs).c_str(), stdout);
    return 0;
  }
  if (!parsed->positional.empty()) {
    std::fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", name.c_str(),
                 parsed->positional.front().c_str());
    return 2;
  }
  auto options = server_options_from(*parsed);
  if (!options) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), options.error().c_str());
    return 2;
  }
  if (parsed->is_set("healthcheck")) return probe_health(options->host, options->port) ? 0 : 1;

  block_shutdown_signals();
  auto service = factory(*parsed, argv[0]);
  if (!service) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(), service.error().c_str());
    return 1;
  }
  ListenConfig listen;
  listen.host = options->host;
  listen.port = options->port;
  listen.port_file = options->port_file;
  auto runner = ServerRunner::start((*service)->http(), listen);
  if (!runner) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(), runner.error().c_str());
    return 1;
  }
  const int sig = wait_for_shutdown_signal();
  std::fprintf(stderr, "%s: received %s, stopping\n", name.c_str(),
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*runner)->stop();
  return 0;
}

}  // namespace mock::common
