#include "mock_twilio/domain/lifecycle.hpp"

#include <fmt/format.h>

namespace mock::twilio {

std::string_view to_string(Progression progression) {
  switch (progression) {
    case Progression::kImmediate:
      return "immediate";
  }
  return "immediate";
}

std::optional<Progression> parse_progression(std::string_view text) {
  if (text == "immediate") return Progression::kImmediate;
  return std::nullopt;
}

std::string price_for_segments(int segments) {
  // 0.00790 USD per segment, in units of 1e-5 to avoid floating point.
  const long units = 790L * segments;
  return fmt::format("-{}.{:05d}", units / 100000, units % 100000);
}

std::optional<Message> Lifecycle::after_create(const Message& created,
                                               const Account& account) const {
  if (account.test || created.status != MessageStatus::kQueued) return std::nullopt;
  switch (mode_) {
    case Progression::kImmediate: {
      Message next = created;
      const auto now = clock_.now();
      next.status = MessageStatus::kDelivered;
      next.date_sent = now;
      next.date_updated = now;
      next.price = price_for_segments(created.num_segments);
      next.price_unit = "USD";
      return next;
    }
  }
  return std::nullopt;
}

}  // namespace mock::twilio
