#pragma once
// The only source of time in the project (house-style §3.7). Services read Clock::now();
// tests and `--clock manual` use ManualClock so that dates are reproducible.
// Thread safety: all methods may be called concurrently.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace mock::common {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// Starts at a fixed instant (default 2026-01-01T00:00:00Z) and moves only when told.
class ManualClock final : public Clock {
 public:
  static constexpr std::int64_t kDefaultStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::milliseconds(kDefaultStartMs)));
  TimePoint now() const override;
  void set(TimePoint t);
  void advance(std::chrono::milliseconds d);
  // Back to the default start instant (kDefaultStartMs), as POST /_mock/reset does.
  void reset_to_default_start();

 private:
  std::atomic<std::int64_t> now_ms_;
};

// "system" or "manual"; nullptr for anything else.
std::unique_ptr<Clock> make_clock(const std::string& kind);

// Wall-clock helpers used only for measuring durations (access log latency).
std::chrono::steady_clock::time_point steady_now();

}  // namespace mock::common
