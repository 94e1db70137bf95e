#include "mock_twilio/domain/lifecycle.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/magic.hpp"
#include "mock_twilio/domain/segments.hpp"

namespace mock::twilio {
namespace {

using S = MessageStatus;
using std::chrono::milliseconds;

constexpr std::array<Transition, 7> kTransitions{{
    {S::kScheduled, S::kQueued, Outcome::kAny},
    {S::kAccepted, S::kQueued, Outcome::kAny},
    {S::kQueued, S::kFailed, Outcome::kFailed},
    {S::kQueued, S::kSending, Outcome::kAny},
    {S::kSending, S::kSent, Outcome::kAny},
    {S::kSent, S::kUndelivered, Outcome::kUndelivered},
    {S::kSent, S::kDelivered, Outcome::kAny},
}};

// Default delivery error codes when a status is set by hand without one.
constexpr int kDefaultFailedCode = 30008;
constexpr int kDefaultUndeliveredCode = 30003;

std::optional<MagicNumber> reserved(const std::string& to) {
  return find_magic(MagicScope::kReserved, to);
}

}  // namespace

std::string_view to_string(Progression progression) {
  switch (progression) {
    case Progression::kImmediate:
      return "immediate";
    case Progression::kTimed:
      return "timed";
    case Progression::kManual:
      return "manual";
  }
  return "timed";
}

std::optional<Progression> parse_progression(std::string_view text) {
  for (auto p : {Progression::kImmediate, Progression::kTimed, Progression::kManual}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

std::optional<StepDelays> parse_step_delays(std::string_view text, const StepDelays& base) {
  StepDelays out = base;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    long ms = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || ptr != value.data() + value.size() || ms < 0 || ms > 86400000L) {
      return std::nullopt;
    }
    milliseconds* slot = key == "accepted"  ? &out.accepted
                         : key == "queued"  ? &out.queued
                         : key == "sending" ? &out.sending
                         : key == "sent"    ? &out.sent
                                            : nullptr;
    if (slot == nullptr) return std::nullopt;
    *slot = milliseconds(ms);
  }
  return out;
}

std::span<const Transition> transition_table() { return kTransitions; }

Outcome planned_outcome(const std::string& to) {
  const auto magic = reserved(to);
  if (!magic) return Outcome::kDelivered;
  switch (magic->effect) {
    case MagicEffect::kUndelivered:
      return Outcome::kUndelivered;
    case MagicEffect::kFailed:
      return Outcome::kFailed;
    default:
      return Outcome::kDelivered;
  }
}

std::optional<MessageStatus> next_status(MessageStatus from, Outcome outcome) {
  for (const auto& t : kTransitions) {
    if (t.from == from && (t.when == Outcome::kAny || t.when == outcome)) return t.to;
  }
  return std::nullopt;
}

std::string price_for_segments(int segments) {
  // 0.00790 USD per segment, in units of 1e-5 to avoid floating point.
  const long units = 790L * segments;
  return fmt::format("-{}.{:05d}", units / 100000, units % 100000);
}

LifecycleSettings Lifecycle::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

void Lifecycle::set_settings(const LifecycleSettings& settings) {
  std::lock_guard lock(settings_mutex_);
  settings_ = settings;
}

std::optional<TimePoint> Lifecycle::due_after(const Message& m, TimePoint at) const {
  if (is_final(m.status) || m.direction == Direction::kInbound) return std::nullopt;
  if (m.status == MessageStatus::kScheduled) return m.next_at;
  const auto s = settings();
  switch (s.mode) {
    case Progression::kManual:
      return std::nullopt;
    case Progression::kImmediate:
      return at;
    case Progression::kTimed:
      break;
  }
  switch (m.status) {
    case MessageStatus::kAccepted:
      return at + s.delays.accepted;
    case MessageStatus::kQueued:
      return at + s.delays.queued;
    case MessageStatus::kSending:
      return at + s.delays.sending;
    case MessageStatus::kSent: {
      const auto magic = reserved(m.to);
      const auto extra = magic && magic->effect == MagicEffect::kDelayedDelivery
                             ? std::chrono::seconds(magic->delay_seconds)
                             : std::chrono::seconds(0);
      return at + s.delays.sent + extra;
    }
    default:
      return std::nullopt;
  }
}

void Lifecycle::schedule_initial(Message& message, const Account& account) const {
  if (account.test) {
    message.next_at.reset();
    return;
  }
  message.next_at = due_after(message, message.date_created);
}

std::optional<Message> Lifecycle::step(const Message& message, TimePoint at,
                                       const MessagingService* service) const {
  const auto next = next_status(message.status, planned_outcome(message.to));
  if (!next) return std::nullopt;
  return set_status(message, *next, std::nullopt, at, service);
}

void Lifecycle::take_due_steps(Message& m, TimePoint now, const MessagingService* service,
                               const std::function<void(const Message&)>& on_step) const {
  while (m.next_at && *m.next_at <= now) {
    auto next = step(m, *m.next_at, service);
    if (!next) {
      m.next_at.reset();
      return;
    }
    m = std::move(*next);
    on_step(m);
  }
}

Message Lifecycle::set_status(const Message& message, MessageStatus status,
                              std::optional<int> error_code, TimePoint at,
                              const MessagingService* service) const {
  Message m = message;
  const bool leaving_pool =
      m.status == MessageStatus::kAccepted || m.status == MessageStatus::kScheduled;
  m.status = status;
  m.date_updated = at;
  if (leaving_pool && status != MessageStatus::kCanceled) {
    // A Messaging Service send gets its sender now: the pool's first number (choice: no
    // geo-match or sticky sender), and its segment count.
    if (!m.from && service != nullptr && !service->senders.empty()) {
      m.from = service->senders.front();
    }
    m.num_segments = m.num_media > 0 ? 1 : count_segments(m.body).segments;
  }
  const bool sent_or_later =
      status == MessageStatus::kSent || status == MessageStatus::kDelivered ||
      status == MessageStatus::kUndelivered || status == MessageStatus::kRead;
  if (sent_or_later) {
    if (!m.date_sent) m.date_sent = at;
    if (!m.price) m.price = price_for_segments(m.num_segments);
    m.price_unit = "USD";
  }
  if (status == MessageStatus::kFailed || status == MessageStatus::kUndelivered) {
    int code = status == MessageStatus::kFailed ? kDefaultFailedCode : kDefaultUndeliveredCode;
    if (error_code) {
      code = *error_code;
    } else if (const auto magic = reserved(m.to); magic && magic->code != 0) {
      code = magic->code;
    }
    m.error_code = code;
    m.error_message = std::string(errors::delivery_error_message(code));
  } else {
    m.error_code.reset();
    m.error_message.reset();
  }
  if (status == MessageStatus::kCanceled) m.date_sent.reset();
  m.next_at = due_after(m, at);
  return m;
}

}  // namespace mock::twilio
