#pragma once
// Binds, tunes and runs an httplib::Server on its own thread (house-style §3.10, §3.11), and
// stops it cleanly. Shared by the executables, mockenv and the in-process test harness.
//
// Tuning (cpp-httplib-performance.md): TCP_NODELAY (Nagle against delayed ACKs costs ~40 ms
// per keep-alive response), a high keep-alive request count (default 5), a 32-thread pool,
// a listen backlog of 1024 (Debian's library compiles in 5), SO_REUSEADDR instead of the
// library's SO_REUSEPORT (which lets two servers silently share a port).

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "common/result.hpp"

namespace mock::common {

inline constexpr std::size_t kDefaultThreads = 32;
inline constexpr std::size_t kMaxPayloadBytes = 2 * 1024 * 1024;

// Applies the settings above (call before binding). `listen_fd` receives the listening
// socket so that start() can raise its backlog.
void tune_server(httplib::Server& server, std::size_t threads,
                 std::shared_ptr<std::atomic<int>> listen_fd);

struct ListenConfig {
  std::string host = "127.0.0.1";
  int port = 0;           // 0 = ephemeral
  std::string port_file;  // also write the port here (temp file + rename)
  std::string label;      // printed before "listening on" ("mock_twilio ")
  bool announce = true;   // print the "listening on" line on stdout
  std::size_t threads = kDefaultThreads;
};

class ServerRunner {
 public:
  // Tunes and binds `server` (which must outlive the runner), then serves on a thread. Fails
  // with a message when the address is taken or invalid. On success the socket already
  // accepts connections and the line "<label>listening on http://HOST:PORT" was printed.
  static Result<std::unique_ptr<ServerRunner>, std::string> start(httplib::Server& server,
                                                                  const ListenConfig& config);
  ~ServerRunner();
  ServerRunner(const ServerRunner&) = delete;
  ServerRunner& operator=(const ServerRunner&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  // "http://127.0.0.1:PORT"
  std::string base_url() const;
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void stop();
  // True once the serving thread has ended (stopped, or failed).
  bool finished() const { return finished_->load(); }

 private:
  ServerRunner(httplib::Server& server, std::string host, int port);

  httplib::Server& server_;
  std::string host_;
  int port_;
  std::thread thread_;
  std::shared_ptr<std::atomic<bool>> finished_;
  bool stopped_ = false;
};

// Writes "PORT\n" to `path` atomically (temporary file + rename).
bool write_port_file(const std::string& path, int port);

}  // namespace mock::common
