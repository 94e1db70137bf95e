#include "mock_twilio/domain/status_engine.hpp"

#include <fmt/format.h>

namespace mock::twilio {
namespace {

// Messages per due query: the query and the writes hold the connection, so a batch stays small
// enough that a request thread waiting for it is not held up long (p99). Batches run back to
// back: with 16 and a yield between them the worker fell behind a saturating load, and under
// --progression immediate a message must move on right after its create (bench/README.md).
constexpr std::size_t kBatch = 32;
constexpr const char* kApiVersion = "2010-04-01";

}  // namespace

Params status_callback_params(const Message& m) {
  const std::string status(to_string(m.status));
  Params p{{"SmsSid", m.sid}, {"SmsStatus", status}, {"MessageStatus", status}, {"To", m.to}};
  if (m.messaging_service_sid) p.emplace_back("MessagingServiceSid", *m.messaging_service_sid);
  p.emplace_back("MessageSid", m.sid);
  p.emplace_back("AccountSid", m.account_sid);
  if (m.from) p.emplace_back("From", *m.from);
  p.emplace_back("ApiVersion", kApiVersion);
  if (m.error_code) {
    p.emplace_back("ErrorCode", std::to_string(*m.error_code));
    if (m.error_message) p.emplace_back("ErrorMessage", *m.error_message);
  }
  return p;
}

CallbackOptions StatusEngine::callback_options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

void StatusEngine::set_callback_options(const CallbackOptions& options) {
  {
    std::lock_guard lock(mutex_);
    options_ = options;
  }
  wake();
}

void StatusEngine::reset(const CallbackOptions& options) {
  ++generation_;
  std::lock_guard lock(mutex_);
  options_ = options;
}

void StatusEngine::set_wakeup(std::function<void()> wakeup) {
  std::lock_guard lock(mutex_);
  wakeup_ = std::move(wakeup);
}

void StatusEngine::wake() {
  std::function<void()> w;
  {
    std::lock_guard lock(mutex_);
    w = wakeup_;
  }
  if (w) w();
}

std::optional<StatusEngine::CallbackTarget> StatusEngine::callback_target(const Message& m) {
  const auto account = repo_.find_account(m.account_sid);
  if (!account || account->test) return std::nullopt;  // §4: test credentials never send callbacks
  std::optional<std::string> url = m.status_callback;
  if (!url && m.messaging_service_sid) {
    if (auto svc = repo_.find_messaging_service(m.account_sid, *m.messaging_service_sid)) {
      url = svc->status_callback;
    }
  }
  if (!url && m.from) {
    if (auto number = repo_.find_phone_number(m.account_sid, *m.from)) {
      url = number->status_callback;
    }
  }
  if (!url || url->empty()) return std::nullopt;
  return CallbackTarget{std::move(*url), account->auth_token};
}

void StatusEngine::status_changed(const Message& m) {
  if (auto target = callback_target(m)) queue_status_callback(m, *target);
}

void StatusEngine::queue_status_callback(const Message& m, const CallbackTarget& target) {
  const auto options = callback_options();
  CallbackAttempt a;
  a.kind = CallbackKind::kStatus;
  a.account_sid = m.account_sid;
  a.message_sid = m.sid;
  a.url = target.url;
  a.params = status_callback_params(m);
  a.signature = twilio_signature(target.auth_token, a.url, a.params);
  a.idempotency_token = idempotency_token(fmt::format(
      "{}/{}/{}", m.sid, to_string(m.status),
      std::chrono::duration_cast<std::chrono::milliseconds>(m.date_updated.time_since_epoch())
          .count()));
  a.due_at = m.date_updated + options.delay;
  repo_.insert_callback(a);
  if (options.duplicate) {
    a.duplicate = true;
    repo_.insert_callback(a);
  }
  wake();
}

void StatusEngine::store_created(const Message& m, const MessagingService* service) {
  // A create's steps keep its account, StatusCallback and Messaging Service; only a pool's
  // sender can appear (at the first step, when the create has no From). With the sender known,
  // one lookup decides every step's callback, and without one no step is copied (the status
  // steps were ~19k instructions of an immediate-mode create; bench/README.md, "Session 10").
  const bool decided = m.from.has_value() || !m.messaging_service_sid;
  std::optional<CallbackTarget> target;
  if (decided) target = callback_target(m);
  Message stored = m;
  std::vector<Message> steps;
  lifecycle_.take_due_steps(stored, m.date_created, service, [&](const Message& step) {
    if (!decided || target) steps.push_back(step);
  });
  repo_.insert_message(stored);
  for (const auto& step : steps) {
    if (decided) {
      queue_status_callback(step, *target);
    } else {
      status_changed(step);
    }
  }
  if (stored.next_at) wake();  // the scheduler moves it on, off this thread
}

bool StatusEngine::run_due_transitions() {
  bool ran = false;
  for (;;) {
    // One query per batch and one write per message: a message takes every step due by `now`
    // in one pass (immediate mode: queued -> sending -> sent -> delivered), its callbacks
    // queued per step in order. Under message_mutex, so no request thread changes a row
    // between the read and the write (bench/README.md: re-querying and re-reading per step
    // cost half of a message's instructions).
    std::lock_guard lock(lifecycle_.message_mutex());
    // Read under the lock: a reset (which takes it) moves a manual clock back to its start, and
    // a `now` read before it stepped the next run's new messages early (the determinism test
    // failed under ASan's timing).
    const auto now = lifecycle_.clock().now();
    auto due = repo_.due_messages(now, kBatch);
    if (due.empty()) return ran;
    std::vector<MessageChange> changes;
    changes.reserve(due.size());
    for (auto& m : due) {
      const auto sender = m.from;
      std::optional<MessagingService> service;
      if (m.messaging_service_sid) {
        service = repo_.find_messaging_service(m.account_sid, *m.messaging_service_sid);
      }
      lifecycle_.take_due_steps(m, now, service ? &*service : nullptr, [&](const Message& step) {
        status_changed(step);
        ran = true;
      });
      const bool sender_changed = m.from != sender;
      changes.push_back(MessageChange{std::move(m), sender_changed});
    }
    repo_.update_messages(changes);
  }
}

bool StatusEngine::run_due_callbacks() {
  const auto generation = generation_.load();
  const auto now = lifecycle_.clock().now();
  const auto due = repo_.due_callbacks(now, callback_options().reorder);
  for (const auto& attempt : due) {
    if (generation_.load() != generation) return true;
    send(attempt, generation);
  }
  return !due.empty();
}

void StatusEngine::send(CallbackAttempt attempt, std::uint64_t generation) {
  const auto options = callback_options();
  WebhookRequest request{attempt.url, attempt.params, attempt.signature, attempt.idempotency_token,
                         options.timeout};
  const auto response = sender_.post(request);
  if (generation_.load() != generation) return;  // a reset happened meanwhile
  const auto now = lifecycle_.clock().now();
  attempt.attempted_at = now;
  attempt.response_code = response.status;
  attempt.latency_ms = response.latency.count();
  const bool ok = response.status && *response.status >= 200 && *response.status < 300;
  attempt.state = ok ? CallbackState::kDelivered : CallbackState::kFailed;
  if (!ok) {
    attempt.error = response.status ? fmt::format("HTTP {}", *response.status) : response.error;
  }
  repo_.update_callback(attempt);
  if (ok || attempt.attempt >= options.max_attempts) return;
  CallbackAttempt retry = attempt;
  retry.id = 0;
  retry.attempt = attempt.attempt + 1;
  retry.state = CallbackState::kPending;
  retry.response_code.reset();
  retry.latency_ms.reset();
  retry.error.reset();
  retry.attempted_at.reset();
  // Exponential backoff: backoff, 2*backoff, 4*backoff, ... (capped shift).
  const int shift = std::min(attempt.attempt - 1, 20);
  retry.due_at = now + options.backoff * (1L << shift);
  repo_.insert_callback(retry);
}

bool StatusEngine::run_due() {
  const bool moved = run_due_transitions();
  const bool sent = run_due_callbacks();
  return moved || sent;
}

std::optional<TimePoint> StatusEngine::next_due() {
  auto a = repo_.next_message_due();
  auto b = repo_.next_callback_due();
  if (a && b) return std::min(*a, *b);
  return a ? a : b;
}

common::Result<Message, ApiError> StatusEngine::advance(const std::string& sid,
                                                        std::optional<MessageStatus> status,
                                                        std::optional<int> error_code,
                                                        const std::string& path) {
  std::optional<Message> next;
  {
    std::lock_guard lock(lifecycle_.message_mutex());
    auto m = repo_.find_message_by_sid(sid);
    if (!m) return common::fail(errors::not_found(path));
    if (error_code) {
      const bool error_status =
          status && (*status == MessageStatus::kFailed || *status == MessageStatus::kUndelivered);
      if (!error_status) {
        return common::fail(
            errors::invalid_parameter("error_code", "only with status failed or undelivered"));
      }
      if (!errors::is_delivery_error(*error_code)) {
        return common::fail(errors::invalid_parameter(
            "error_code",
            fmt::format("{} is not a delivery error code (30001-30010)", *error_code)));
      }
    }
    std::optional<MessagingService> service;
    if (m->messaging_service_sid) {
      service = repo_.find_messaging_service(m->account_sid, *m->messaging_service_sid);
    }
    const auto now = lifecycle_.clock().now();
    const MessagingService* svc = service ? &*service : nullptr;
    if (status) {
      next = lifecycle_.set_status(*m, *status, error_code, now, svc);
    } else {
      next = lifecycle_.step(*m, now, svc);
      if (!next) {
        return common::fail(errors::invalid_parameter(
            "status",
            fmt::format("message {} is {} and has no next status", sid, to_string(m->status))));
      }
    }
    repo_.update_message(*next);
    status_changed(*next);
  }
  wake();
  return *next;
}

}  // namespace mock::twilio
