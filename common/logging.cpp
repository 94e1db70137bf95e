#include "common/logging.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/sinks/base_sink.h>

namespace mock::common {
namespace {

// stderr, buffered: a line is formatted into a buffer and leaves in one write() together with
// the lines logged around it, at most kFlushDelay after it was logged (a flusher thread), at
// once when the buffer passes kMaxBuffered, when a line at warn or above arrives (flush_on),
// and when the logger goes away. spdlog's stderr sink wrote and flushed every line: one
// write() per request under one mutex shared by every request thread (bench/README.md).
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BufferedStderrSink() : flusher_([this] { run(); }) {}
  ~BufferedStderrSink() override {
    {
      std::lock_guard lock(flusher_mutex_);
      stop_ = true;
    }
    flusher_cv_.notify_one();
    flusher_.join();
    flush();
  }
  BufferedStderrSink(const BufferedStderrSink&) = delete;
  BufferedStderrSink& operator=(const BufferedStderrSink&) = delete;

 protected:
  // Both run under base_sink's mutex_.
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kMaxBuffered) {
      flush_();
    } else if (!pending_.exchange(true)) {
      // The first buffered line since the last write starts the flusher's countdown.
      std::lock_guard lock(flusher_mutex_);
      flusher_cv_.notify_one();
    }
  }
  void flush_() override {
    pending_ = false;
    if (buffer_.empty()) return;
    std::fwrite(buffer_.data(), 1, buffer_.size(), stderr);
    std::fflush(stderr);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kMaxBuffered = 64 * 1024;
  static constexpr std::chrono::milliseconds kFlushDelay{50};

  void run() {
    std::unique_lock lock(flusher_mutex_);
    for (;;) {
      flusher_cv_.wait(lock, [this] { return stop_ || pending_.load(); });
      if (stop_) return;
      flusher_cv_.wait_for(lock, kFlushDelay, [this] { return stop_; });
      lock.unlock();
      flush();  // base_sink::flush: takes mutex_, calls flush_()
      lock.lock();
    }
  }

  std::string buffer_;  // guarded by base_sink's mutex_
  std::atomic<bool> pending_{false};
  std::mutex flusher_mutex_;
  std::condition_variable flusher_cv_;
  bool stop_ = false;    // guarded by flusher_mutex_
  std::thread flusher_;  // last: started once everything above is initialised
};

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(const std::string& name) {
  static constexpr const char* kNames[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};
  for (int i = 0; i < 7; ++i) {
    if (name == kNames[i]) return static_cast<spdlog::level::level_enum>(i);
  }
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            spdlog::level::level_enum level) {
  // Not registered in spdlog's registry: tests create many servers with the same name.
  auto sink = std::make_shared<BufferedStderrSink>();
  auto log = std::make_shared<spdlog::logger>(name, std::move(sink));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  log->set_level(level);
  log->flush_on(spdlog::level::warn);
  return log;
}

}  // namespace mock::common
