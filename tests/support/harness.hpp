#pragma once
// Test harness shared by the integration, e2e and client tests.
//
//  RunningService: a service library's server on 127.0.0.1:0 in this process (Mailpit's
//  httptest). Stops and joins on destruction (house-style §3.11).
//  Process: a spawned executable (e2e), with --port 0 --port-file; killed on destruction.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "common/server_runner.hpp"
#include "common/service.hpp"
#include <sys/types.h>

namespace mock::testing {

// Where the repository's fixtures/ and scenarios/ are: $MOCK_SOURCE_DIR (set by ctest), else
// the current directory.
std::string source_dir();
std::string fixture_path(const std::string& name = "default");
// Path of a built executable: $MOCK_BIN_DIR/<name>, else the one beside this test executable
// (all executables land in build/bin).
std::string bin_path(const std::string& name);
// A fresh temporary directory, removed by the caller (or left for debugging).
std::string temp_dir(const std::string& prefix);

class RunningService {
 public:
  explicit RunningService(std::unique_ptr<common::Service> service);
  ~RunningService();
  RunningService(const RunningService&) = delete;
  RunningService& operator=(const RunningService&) = delete;

  int port() const { return runner_->port(); }
  std::string base_url() const { return runner_->base_url(); }
  common::Service& service() { return *service_; }
  // A client with keep-alive off and 5 s timeouts.
  std::unique_ptr<httplib::Client> client() const;

 private:
  std::unique_ptr<common::Service> service_;
  std::unique_ptr<common::ServerRunner> runner_;
};

class Process {
 public:
  // Starts `argv` (argv[0] = path) with extra environment variables; stdout and stderr go to
  // files in a temporary directory (see output()).
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Waits until `file` holds a port number (--port-file), up to `timeout_ms`. -1 on timeout
  // or when the process exited.
  int wait_for_port_file(const std::string& file, int timeout_ms = 10000);
  // Waits until stdout contains `text`; false on timeout or exit.
  bool wait_for_output(const std::string& text, int timeout_ms = 10000);
  // Sends `sig`, waits up to timeout_ms; returns the exit status (as waitpid), or -1.
  int stop(int sig, int timeout_ms = 10000);
  // Waits for exit without signalling; -1 on timeout.
  int wait_exit(int timeout_ms);
  bool running();
  std::string stdout_text() const;
  std::string stderr_text() const;
  const std::string& dir() const { return dir_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string dir_;
};

std::string read_file(const std::string& path);
// Writes `text` to `path` (truncating); returns `path`.
std::string write_file(const std::string& path, const std::string& text);

// A temporary directory removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "mock-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP listener on 127.0.0.1 holding an ephemeral port until close() or scope exit (to make
// a port "taken", or to find one that was free a moment ago).
class Listener {
 public:
  Listener();
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int port() const { return port_; }
  void close();

 private:
  int fd_;
  int port_ = 0;
};

// A port that was free a moment ago (for tests that must name a fixed port).
int free_port();
// The exit code of a waitpid status (Process::stop/wait_exit); -1 when killed by a signal,
// -2 when the wait timed out.
int exit_code(int status);
// The concrete path of a route table pattern (common::RouteInfo::path): each "([^/]+)"
// capture becomes the next of `ids`, and "\." becomes ".".
std::string route_path(std::string_view pattern, const std::vector<std::string>& ids);

// An httplib client for 127.0.0.1:port with short connect/write timeouts.
std::unique_ptr<httplib::Client> client_for(int port, int read_timeout_s = 10);

}  // namespace mock::testing
