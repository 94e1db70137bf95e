#pragma once
// The one worker thread of a mock_twilio service: it runs StatusEngine::run_due() whenever it
// is woken (a create that leaves a step or a callback to come, an advance, options changed)
// or a due time may have passed. With the system clock it sleeps until the next due time (at
// most `poll`); with a manual clock it re-checks every `poll`, so POST /_mock/clock (or
// ManualClock::advance) makes due work run within one poll; a wake() runs the pass after a
// gathering pause of kGather (1 ms). Never blocks a request thread: wake() only signals. The
// destructor stops and joins the thread. Errors thrown by run_due() are passed to `on_error`
// and the loop goes on.
// Thread safety: wake() may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "mock_twilio/domain/status_engine.hpp"

namespace mock::twilio {

class Scheduler {
 public:
  Scheduler(StatusEngine& engine, const common::Clock& clock, bool manual_clock,
            std::function<void(const std::string&)> on_error,
            std::chrono::milliseconds poll = std::chrono::milliseconds(20));
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void wake();

 private:
  void loop();
  bool is_woken();

  // How long a wake() waits for more work before the pass runs.
  static constexpr std::chrono::milliseconds kGather{1};

  StatusEngine& engine_;
  const common::Clock& clock_;
  bool manual_clock_;
  std::function<void(const std::string&)> on_error_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;   // guarded by mutex_
  bool woken_ = false;  // guarded by mutex_
  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace mock::twilio
