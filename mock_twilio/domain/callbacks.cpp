#include "mock_twilio/domain/callbacks.hpp"

namespace mock::twilio {

std::string_view to_string(CallbackKind kind) {
  return kind == CallbackKind::kInbound ? "inbound" : "status";
}

std::optional<CallbackKind> parse_callback_kind(std::string_view text) {
  if (text == "status") return CallbackKind::kStatus;
  if (text == "inbound") return CallbackKind::kInbound;
  return std::nullopt;
}

std::string_view to_string(CallbackState state) {
  switch (state) {
    case CallbackState::kPending:
      return "pending";
    case CallbackState::kDelivered:
      return "delivered";
    case CallbackState::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<CallbackState> parse_callback_state(std::string_view text) {
  for (auto s : {CallbackState::kPending, CallbackState::kDelivered, CallbackState::kFailed}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace mock::twilio
