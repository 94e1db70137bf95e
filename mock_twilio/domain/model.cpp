#include "mock_twilio/domain/model.hpp"

#include <array>
#include <utility>

namespace mock::twilio {
namespace {

constexpr std::array<std::pair<MessageStatus, std::string_view>, 13> kStatusNames{{
    {MessageStatus::kQueued, "queued"},
    {MessageStatus::kSending, "sending"},
    {MessageStatus::kSent, "sent"},
    {MessageStatus::kFailed, "failed"},
    {MessageStatus::kDelivered, "delivered"},
    {MessageStatus::kUndelivered, "undelivered"},
    {MessageStatus::kReceiving, "receiving"},
    {MessageStatus::kReceived, "received"},
    {MessageStatus::kAccepted, "accepted"},
    {MessageStatus::kScheduled, "scheduled"},
    {MessageStatus::kRead, "read"},
    {MessageStatus::kPartiallyDelivered, "partially_delivered"},
    {MessageStatus::kCanceled, "canceled"},
}};

constexpr std::array<std::pair<Direction, std::string_view>, 4> kDirectionNames{{
    {Direction::kInbound, "inbound"},
    {Direction::kOutboundApi, "outbound-api"},
    {Direction::kOutboundCall, "outbound-call"},
    {Direction::kOutboundReply, "outbound-reply"},
}};

}  // namespace

std::string_view to_string(MessageStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "queued";
}

std::optional<MessageStatus> parse_message_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_final(MessageStatus status) {
  switch (status) {
    case MessageStatus::kDelivered:
    case MessageStatus::kUndelivered:
    case MessageStatus::kFailed:
    case MessageStatus::kReceived:
    case MessageStatus::kCanceled:
    case MessageStatus::kRead:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(Direction direction) {
  for (const auto& [value, name] : kDirectionNames) {
    if (value == direction) return name;
  }
  return "outbound-api";
}

std::optional<Direction> parse_direction(std::string_view text) {
  for (const auto& [value, name] : kDirectionNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace mock::twilio
