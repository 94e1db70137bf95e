#pragma once
// Binds, tunes and runs an httplib::Server on its own thread (house-style §3.10, §3.11), and
// stops it cleanly. Shared by the executables, mockenv and the in-process test harness.
//
// Tuning (cpp-httplib-performance.md): TCP_NODELAY (Nagle against delayed ACKs costs ~40 ms
// per keep-alive response), a high keep-alive request count (default 5), a pool of up to 32
// threads started on demand (GrowingThreadPool),
// a listen backlog of 1024 (Debian's library compiles in 5), SO_REUSEADDR instead of the
// library's SO_REUSEPORT (which lets two servers silently share a port).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "common/result.hpp"

namespace mock::common {

inline constexpr std::size_t kDefaultThreads = 32;

// httplib's task queue, started empty: a worker thread is created when a connection arrives
// and no worker is idle, up to `max_threads`; workers then stay until shutdown(). httplib's own
// ThreadPool starts all of them at once (32 threads cost ~0.7 ms of a ~6 ms cold start, twice
// in `mockenv up`), and most are never used by a test suite. Thread safety: enqueue() and
// shutdown() may be called from any thread; shutdown() once, after the last enqueue().
class GrowingThreadPool final : public httplib::TaskQueue {
 public:
  explicit GrowingThreadPool(std::size_t max_threads);
  ~GrowingThreadPool() override;
  GrowingThreadPool(const GrowingThreadPool&) = delete;
  GrowingThreadPool& operator=(const GrowingThreadPool&) = delete;

  // Queues `fn`; starts a worker when the queued jobs outnumber the idle workers and fewer than
  // `max_threads` exist. If no worker exists and none can be started, runs `fn` here.
  void enqueue(std::function<void()> fn) override;
  // Lets the workers finish every queued job, then joins them.
  void shutdown() override;

  std::size_t threads() const;       // workers started so far
  std::size_t idle_threads() const;  // workers waiting for a job

 private:
  void work();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // State below is protected by mutex_.
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;  // workers waiting for a job
  bool shutdown_ = false;
};
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
