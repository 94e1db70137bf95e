#include "common/logging.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/sink.h>

namespace mock::common {

void format_log_line(const spdlog::details::log_msg& msg, std::string& out) {
  // The seconds part changes once a second: each thread keeps its last one formatted.
  struct Second {
    std::time_t sec = -1;
    char text[24] = {0};  // "YYYY-MM-DDTHH:MM:SS."
    std::size_t size = 0;
  };
  thread_local Second last;
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch) -
                  std::chrono::duration_cast<std::chrono::milliseconds>(secs);
  const std::time_t sec = static_cast<std::time_t>(secs.count());
  if (sec != last.sec) {
    std::tm tm{};
    gmtime_r(&sec, &tm);
    const std::size_t n = std::strftime(last.text, sizeof(last.text), "%Y-%m-%dT%H:%M:%S.", &tm);
    last.size = n;
    last.sec = n == 0 ? -1 : sec;
  }
  out.append(last.text, last.size);
  const auto milli = static_cast<unsigned>(ms.count());
  const char frac[5] = {static_cast<char>('0' + milli / 100 % 10),
                        static_cast<char>('0' + milli / 10 % 10),
                        static_cast<char>('0' + milli % 10), 'Z', ' '};
  out.append(frac, sizeof(frac));
  const auto level = spdlog::level::to_string_view(msg.level);
  out.append(level.data(), level.size());
  out.append(" [", 2);
  out.append(msg.logger_name.data(), msg.logger_name.size());
  out.append("] ", 2);
  out.append(msg.payload.data(), msg.payload.size());
  out.push_back('\n');
}

namespace {

// Buffered output: a line is formatted by the thread that logs it, outside any lock, and
// appended to a shared buffer under a lock held only for that copy. The buffer leaves in one
// write() together with the lines logged around it, at most kFlushDelay after its first line
// (the flusher thread), as soon as it passes kWriteAt (the flusher, woken), at once when a
// line at warn or above arrives (flush_on) or the logger goes away, and from the logging
// thread itself only when the flusher is kMaxBuffered behind. Writes happen under their own
// lock, never under the buffer's, in the order the lines were appended.
// Before (bench/README.md, "Session 12"): spdlog's base_sink formatted each line and wrote
// every 64 KiB under one mutex shared by every request thread; a thread preempted while
// holding it stalled the others, which showed in the p99 of every route.
class BufferedSink final : public spdlog::sinks::sink {
 public:
  explicit BufferedSink(std::FILE* out) : out_(out), flusher_([this] { run(); }) {}
  ~BufferedSink() override {
    {
      std::lock_guard lock(buffer_mutex_);
      stop_ = true;
    }
    flusher_cv_.notify_one();
    flusher_.join();
    flush();
  }
  BufferedSink(const BufferedSink&) = delete;
  BufferedSink& operator=(const BufferedSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override {
    thread_local std::string line;
    line.clear();
    if (has_custom_.load(std::memory_order_acquire)) {
      std::lock_guard lock(custom_mutex_);
      spdlog::memory_buf_t formatted;
      custom_->format(msg, formatted);
      line.assign(formatted.data(), formatted.size());
    } else {
      format_log_line(msg, line);
    }
    bool wake = false;
    bool write_here = false;
    {
      std::lock_guard lock(buffer_mutex_);
      buffer_.append(line);
      if (buffer_.size() >= kMaxBuffered) {
        write_here = true;
      } else if (!woken_ && (buffer_.size() == line.size() || buffer_.size() >= kWriteAt)) {
        woken_ = buffer_.size() >= kWriteAt;
        wake = true;
      }
    }
    if (wake) flusher_cv_.notify_one();
    if (write_here) flush();
  }

  void flush() override {
    std::lock_guard write_lock(write_mutex_);
    {
      std::lock_guard lock(buffer_mutex_);
      out_buffer_.swap(buffer_);
      woken_ = false;
    }
    write_out();
  }

  void set_pattern(const std::string& pattern) override {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    std::lock_guard lock(custom_mutex_);
    custom_ = std::move(formatter);
    has_custom_.store(custom_ != nullptr, std::memory_order_release);
  }

 private:
  static constexpr std::size_t kWriteAt = 64 * 1024;
  static constexpr std::size_t kMaxBuffered = 1024 * 1024;
  static constexpr std::chrono::milliseconds kFlushDelay{50};

  // Under write_mutex_.
  void write_out() {
    if (out_buffer_.empty()) return;
    std::fwrite(out_buffer_.data(), 1, out_buffer_.size(), out_);
    std::fflush(out_);
    out_buffer_.clear();
  }

  void run() {
    std::unique_lock lock(buffer_mutex_);
    for (;;) {
      flusher_cv_.wait(lock, [this] { return stop_ || !buffer_.empty(); });
      if (stop_) return;
      flusher_cv_.wait_for(lock, kFlushDelay,
                           [this] { return stop_ || buffer_.size() >= kWriteAt; });
      if (stop_) return;
      lock.unlock();
      flush();
      lock.lock();
    }
  }

  std::FILE* out_;
  std::mutex buffer_mutex_;
  std::condition_variable flusher_cv_;
  std::string buffer_;  // guarded by buffer_mutex_
  bool woken_ = false;  // guarded by buffer_mutex_: the flusher was told the buffer is full
  bool stop_ = false;   // guarded by buffer_mutex_
  std::mutex write_mutex_;
  std::string out_buffer_;  // guarded by write_mutex_
  std::mutex custom_mutex_;
  std::unique_ptr<spdlog::formatter> custom_;  // guarded by custom_mutex_ (set_pattern)
  std::atomic<bool> has_custom_{false};
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
                                            spdlog::level::level_enum level, std::FILE* out) {
  // Not registered in spdlog's registry: tests create many servers with the same name.
  // The lines' format is kLogPattern's, written by format_log_line().
  auto log = std::make_shared<spdlog::logger>(name, std::make_shared<BufferedSink>(out));
  log->set_level(level);
  log->flush_on(spdlog::level::warn);
  return log;
}

}  // namespace mock::common
