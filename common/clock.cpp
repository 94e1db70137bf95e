#include "common/clock.hpp"

namespace mock::common {

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

ManualClock::ManualClock(TimePoint start)
    : now_ms_(
          std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count()) {
}

TimePoint ManualClock::now() const { return TimePoint(std::chrono::milliseconds(now_ms_.load())); }

void ManualClock::set(TimePoint t) {
  now_ms_.store(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

void ManualClock::reset_to_default_start() {
  set(TimePoint(std::chrono::milliseconds(kDefaultStartMs)));
}

void ManualClock::advance(std::chrono::milliseconds d) { now_ms_.fetch_add(d.count()); }

std::unique_ptr<Clock> make_clock(const std::string& kind) {
  if (kind == "system") return std::make_unique<SystemClock>();
  if (kind == "manual") return std::make_unique<ManualClock>();
  return nullptr;
}

std::chrono::steady_clock::time_point steady_now() { return std::chrono::steady_clock::now(); }

}  // namespace mock::common
