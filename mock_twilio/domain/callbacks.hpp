#pragma once
// Webhook attempts as the store keeps them (GET /_mock/twilio/callbacks lists every one) and
// the callback options (retry policy, delay, duplicate, reorder). Plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "mock_twilio/domain/webhooks.hpp"

namespace mock::twilio {

using common::TimePoint;

enum class CallbackKind { kStatus, kInbound };
std::string_view to_string(CallbackKind kind);
std::optional<CallbackKind> parse_callback_kind(std::string_view text);

// pending: not tried yet (due_at in the future or not reached); delivered: a 2xx came back;
// failed: this attempt failed (a later row with attempt + 1 is the retry, if any is left).
enum class CallbackState { kPending, kDelivered, kFailed };
std::string_view to_string(CallbackState state);
std::optional<CallbackState> parse_callback_state(std::string_view text);

// One attempt to deliver one webhook.
struct CallbackAttempt {
  std::int64_t id = 0;  // store order = creation order
  CallbackKind kind = CallbackKind::kStatus;
  std::string account_sid;
  std::string message_sid;
  std::string url;
  Params params;
  std::string signature;          // X-Twilio-Signature
  std::string idempotency_token;  // I-Twilio-Idempotency-Token, the same for every attempt
  int attempt = 1;
  bool duplicate = false;  // the extra copy sent by the `duplicate` option
  TimePoint due_at;
  CallbackState state = CallbackState::kPending;
  std::optional<int> response_code;
  std::optional<std::int64_t> latency_ms;  // volatile (real time): not part of determinism
  std::optional<std::string> error;
  std::optional<TimePoint> attempted_at;  // Clock time of the attempt
};

// Runtime options (flags at start, PUT /_mock/twilio/callback_options later).
struct CallbackOptions {
  int max_attempts = 3;                     // 1 = no retry
  std::chrono::milliseconds backoff{1000};  // before attempt 2; doubles after each
  std::chrono::milliseconds timeout{5000};  // per attempt (connect + read)
  std::chrono::milliseconds delay{0};       // added to every status callback's due time
  bool duplicate = false;                   // send every status callback twice
  bool reorder = false;                     // callbacks due together go newest first
};

}  // namespace mock::twilio
