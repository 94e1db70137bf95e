#pragma once
// Runs the lifecycle over time: due transitions (Lifecycle::step) and due webhook attempts
// (status callbacks with retries), both read from the repository against the Clock. The
// Scheduler calls run_due() on its worker thread; request threads call status_changed(),
// advance() and wake(). Status callbacks follow twilio-messaging.md §5: one per status change
// after creation, never for test accounts, to the message's StatusCallback, else its
// Messaging Service's, else its From number's status_callback.
// Thread safety: every public method may be called from any thread. Message rows are read
// and written under Lifecycle::message_mutex(); webhooks are sent outside it.

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/ids.hpp"
#include "common/result.hpp"
#include "mock_twilio/domain/callbacks.hpp"
#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/lifecycle.hpp"
#include "mock_twilio/domain/repository.hpp"
#include "mock_twilio/domain/webhooks.hpp"

namespace mock::twilio {

// The status callback parameters of `m` (§5 table, in the order of Twilio's real bodies).
Params status_callback_params(const Message& m);

class StatusEngine {
 public:
  // Draws no ids: callback tokens derive from their event (idempotency_token in webhooks.hpp).
  StatusEngine(MessageRepository& repo, Lifecycle& lifecycle, WebhookSender& sender,
               CallbackOptions options)
      : repo_(repo), lifecycle_(lifecycle), sender_(sender), options_(options) {}

  CallbackOptions callback_options() const;
  void set_callback_options(const CallbackOptions& options);

  // Queues the status callback(s) for `m`'s new status (call after the row is written: with
  // message_mutex held for an existing row). Nothing for test accounts or without a callback
  // URL.
  void status_changed(const Message& m);
  // Stores `m`, a message just created (an API create or an inbound message's reply), with
  // the steps already due taken first (immediate mode, zero delays): the row is written once,
  // final, and its first read shows the status reached, while the caller's copy keeps the
  // status of the create (queued, accepted), as the response shows it. Then queues each step's
  // callbacks in order and wakes the worker when the row has a next step. No message_mutex:
  // it orders read-modify-writes of existing rows, and nobody can read this one before the
  // insert (it would be one more lock every request thread queues on). `service`: the
  // message's Messaging Service, if any (picks the sender).
  void store_created(const Message& m, const MessagingService* service);
  // Runs every transition due now (to quiescence), then every callback due now. Returns true
  // when anything ran. Called by the scheduler only (one thread).
  bool run_due();
  // The earliest due time of a transition or a pending callback.
  std::optional<TimePoint> next_due();

  // Manual advance (POST /_mock/twilio/messages/{sid}/advance): the next automatic step, or
  // `status` (+ error_code for failed/undelivered) when given. 20404 for an unknown SID,
  // 20001 when the message has no next step / the error code is not a 300xx code.
  common::Result<Message, ApiError> advance(const std::string& sid,
                                            std::optional<MessageStatus> status,
                                            std::optional<int> error_code, const std::string& path);

  // After a reset: options back to `options`; work in flight is not recorded.
  void reset(const CallbackOptions& options);

  void set_wakeup(std::function<void()> wakeup);
  void wake();

 private:
  // Where `m`'s status callbacks go (§5: its StatusCallback, else its Messaging Service's,
  // else its From number's status_callback) and the account token that signs them; nullopt
  // for a test account or without a URL.
  struct CallbackTarget {
    std::string url;
    std::string auth_token;
  };
  std::optional<CallbackTarget> callback_target(const Message& m);
  void queue_status_callback(const Message& m, const CallbackTarget& target);
  bool run_due_transitions();
  bool run_due_callbacks();
  void send(CallbackAttempt attempt, std::uint64_t generation);

  MessageRepository& repo_;
  Lifecycle& lifecycle_;
  WebhookSender& sender_;
  mutable std::mutex mutex_;
  CallbackOptions options_;       // guarded by mutex_
  std::function<void()> wakeup_;  // guarded by mutex_
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace mock::twilio
