#include "mock_twilio/domain/scheduler.hpp"

#include <exception>

namespace mock::twilio {

Scheduler::Scheduler(StatusEngine& engine, const common::Clock& clock, bool manual_clock,
                     std::function<void(const std::string&)> on_error,
                     std::chrono::milliseconds poll)
    : engine_(engine),
      clock_(clock),
      manual_clock_(manual_clock),
      on_error_(std::move(on_error)),
      poll_(poll),
      thread_([this] { loop(); }) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Scheduler::wake() {
  {
    std::lock_guard lock(mutex_);
    // Already woken: the worker runs again before it sleeps. Every create wakes the worker,
    // so under load this saves a futex wake per request.
    if (woken_) return;
    woken_ = true;
  }
  cv_.notify_all();
}

bool Scheduler::is_woken() {
  std::lock_guard lock(mutex_);
  return woken_ || stop_;
}

void Scheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (woken_) {
      // Woken by new work (a create): let the work that arrives with it gather for a moment, so
      // that one pass takes a batch instead of one message per pass, each pass competing with
      // the request threads for the store's connection (bench/README.md: lock convoys).
      cv_.wait_for(lock, kGather, [this] { return stop_; });
      if (stop_) break;
    }
    woken_ = false;
    lock.unlock();
    std::optional<common::TimePoint> next;
    try {
      engine_.run_due();
      // Woken meanwhile (a create under load): run again at once, the due time is not needed.
      if (!is_woken()) next = engine_.next_due();
    } catch (const std::exception& e) {
      if (on_error_) on_error_(e.what());
    } catch (...) {
      if (on_error_) on_error_("unknown exception");
    }
    auto wait = poll_;
    if (!manual_clock_) {
      // System clock: sleep until the next due time, re-checking at least once a second.
      wait = std::chrono::milliseconds(1000);
      if (next) {
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now());
        wait = std::clamp(until, std::chrono::milliseconds(0), wait);
      }
    }
    lock.lock();
    if (stop_ || woken_) continue;
    cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
  }
}

}  // namespace mock::twilio
