#pragma once
// The status state machine of outbound messages (twilio-messaging.md §5, house-style §3.7).
// No sleeps: every step has a due time (Message::next_at) read against common::Clock; the
// scheduler (scheduler.hpp) runs the due steps off the request thread.
//
// Transition table (automatic steps; transition_table() holds it as data):
//   scheduled -> queued      at SendAt (picks the sender like accepted)
//   accepted  -> queued      picks the Messaging Service's sender, counts segments
//   queued    -> sending     | failed (reserved To numbers with a "failed" 300xx code)
//   sending   -> sent        date_sent and price are set
//   sent      -> delivered   | undelivered (reserved To numbers with an "undelivered" code)
// Modes: immediate (every step due at once), timed (default: each status waits its delay
// from StepDelays; reserved "delayed delivery" numbers add theirs to `sent`), manual (no
// automatic steps: POST /_mock/twilio/messages/{sid}/advance). Test accounts never move.
// Thread safety: settings are guarded by an internal mutex; message_mutex() serialises every
// read-modify-write of a message row between request threads and the scheduler.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "common/clock.hpp"
#include "mock_twilio/domain/model.hpp"

namespace mock::twilio {

enum class Progression { kImmediate, kTimed, kManual };
std::string_view to_string(Progression progression);
std::optional<Progression> parse_progression(std::string_view text);

// How long a message stays in each status in timed mode.
struct StepDelays {
  std::chrono::milliseconds accepted{1000};
  std::chrono::milliseconds queued{1000};
  std::chrono::milliseconds sending{1000};
  std::chrono::milliseconds sent{2000};
};
// "accepted=1000,queued=1000,sending=1000,sent=2000" (ms; any subset, any order).
std::optional<StepDelays> parse_step_delays(std::string_view text, const StepDelays& base);

struct LifecycleSettings {
  Progression mode = Progression::kTimed;
  StepDelays delays;
};

enum class Outcome { kAny, kDelivered, kUndelivered, kFailed };
struct Transition {
  MessageStatus from;
  MessageStatus to;
  Outcome when;  // which planned outcome takes this edge (kAny: always)
};
std::span<const Transition> transition_table();

// The planned outcome of a send to `to` (the reserved magic range, magic.hpp).
Outcome planned_outcome(const std::string& to);
// The automatic next status from `from` for `outcome`; nullopt when `from` has none.
std::optional<MessageStatus> next_status(MessageStatus from, Outcome outcome);

// "-0.00790" per SMS segment, in USD.
std::string price_for_segments(int segments);

class Lifecycle {
 public:
  Lifecycle(LifecycleSettings settings, const common::Clock& clock)
      : settings_(settings), clock_(clock) {}

  LifecycleSettings settings() const;
  void set_settings(const LifecycleSettings& settings);

  // Sets next_at of a message just created (its status is queued, accepted or scheduled;
  // scheduled messages already carry next_at = SendAt). Test accounts never move.
  void schedule_initial(Message& message, const Account& account) const;
  // One automatic step taken at `at` (the due time). `service` is the message's Messaging
  // Service when it has one (picks the sender). nullopt when the message has no next step.
  std::optional<Message> step(const Message& message, TimePoint at,
                              const MessagingService* service) const;
  // Every step of `m` due by `now`, in order (immediate mode: queued -> sending -> sent ->
  // delivered at once), each at its due time; `on_step` sees each new state. `m` ends as the
  // last one, with next_at the next due time (none when final).
  void take_due_steps(Message& m, TimePoint now, const MessagingService* service,
                      const std::function<void(const Message&)>& on_step) const;
  // Any status, set by hand (manual advance) at `at`; error_code for failed/undelivered
  // (defaults: the planned one, else 30008 / 30003).
  Message set_status(const Message& message, MessageStatus status, std::optional<int> error_code,
                     TimePoint at, const MessagingService* service) const;

  std::mutex& message_mutex() { return message_mutex_; }
  const common::Clock& clock() const { return clock_; }

 private:
  std::optional<TimePoint> due_after(const Message& m, TimePoint at) const;

  mutable std::mutex settings_mutex_;
  LifecycleSettings settings_;  // guarded by settings_mutex_
  const common::Clock& clock_;
  std::mutex message_mutex_;
};

}  // namespace mock::twilio
