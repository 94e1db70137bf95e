#include "common/server_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace mock::common {

void tune_server(httplib::Server& server, std::size_t threads,
                 std::shared_ptr<std::atomic<int>> listen_fd) {
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  // A worker waits this long on an idle keep-alive connection, and stop() waits for the
  // workers: short enough that Ctrl-C is prompt, long enough for clients that pause briefly.
  // httplib announces it in its Keep-Alive header, which Node's agent honours.
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_payload_max_length(kMaxPayloadBytes);
  server.new_task_queue = [threads] { return new GrowingThreadPool(threads); };
  server.set_socket_options([listen_fd = std::move(listen_fd)](socket_t sock) {
    int yes = 1;
    // SO_REUSEADDR (not SO_REUSEPORT): restart while old connections sit in TIME_WAIT, but
    // refuse a port another process is listening on.
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    listen_fd->store(sock);
  });
}

GrowingThreadPool::GrowingThreadPool(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(max_threads, 1)) {}

GrowingThreadPool::~GrowingThreadPool() { shutdown(); }

void GrowingThreadPool::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mutex_);
  jobs_.push_back(std::move(fn));
  if (jobs_.size() > idle_ && threads_.size() < max_threads_ && !shutdown_) {
    try {
      threads_.emplace_back([this] { work(); });
      return;  // the new worker takes a job when it starts
    } catch (const std::system_error&) {
      // Out of threads: the existing workers take the job in turn.
      if (threads_.empty()) {
        auto job = std::move(jobs_.back());
        jobs_.pop_back();
        lock.unlock();
        job();
        return;
      }
    }
  }
  lock.unlock();
  wake_.notify_one();
}

void GrowingThreadPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& t : threads) t.join();
}

std::size_t GrowingThreadPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

std::size_t GrowingThreadPool::idle_threads() const {
  std::lock_guard lock(mutex_);
  return idle_;
}

void GrowingThreadPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
    --idle_;
    if (jobs_.empty()) return;  // shut down, nothing left to do
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

bool write_port_file(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

ServerRunner::ServerRunner(httplib::Server& server, std::string host, int port)
    : server_(server),
      host_(std::move(host)),
      port_(port),
      finished_(std::make_shared<std::atomic<bool>>(false)) {}

Result<std::unique_ptr<ServerRunner>, std::string> ServerRunner::start(httplib::Server& server,
                                                                       const ListenConfig& config) {
  auto listen_fd = std::make_shared<std::atomic<int>>(-1);
  tune_server(server, config.threads, listen_fd);
  int port = config.port;
  if (config.port == 0) {
    port = server.bind_to_any_port(config.host);
    if (port < 0) return fail(fmt::format("cannot bind {} on an ephemeral port", config.host));
  } else if (!server.bind_to_port(config.host, config.port)) {
    return fail(fmt::format("cannot bind {}:{} (address in use or not available)", config.host,
                            config.port));
  }
  // httplib 0.11.4 listens with a backlog of 5; raise it on the same socket.
  if (int fd = listen_fd->load(); fd >= 0) ::listen(fd, 1024);

  std::unique_ptr<ServerRunner> runner(new ServerRunner(server, config.host, port));
  if (!config.port_file.empty() && !write_port_file(config.port_file, port)) {
    return fail(fmt::format("--port-file: cannot write {}", config.port_file));
  }
  runner->thread_ = std::thread([&server, finished = runner->finished_] {
    server.listen_after_bind();
    finished->store(true);
  });
  if (config.announce) {
    std::printf("%slistening on %s\n", config.label.c_str(), runner->base_url().c_str());
    std::fflush(stdout);
  }
  return runner;
}

std::string ServerRunner::base_url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host_, v6 ? "]" : "", port_);
}

void ServerRunner::stop() {
  if (stopped_) return;
  stopped_ = true;
  // stop() is a no-op until the accept loop runs (house-style §3.8.7).
  while (!server_.is_running() && !finished_->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

ServerRunner::~ServerRunner() { stop(); }

}  // namespace mock::common
