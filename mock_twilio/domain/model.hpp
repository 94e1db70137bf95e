#pragma once
// The entities of mock_twilio (twilio-messaging.md §1.2): what the store keeps and the domain
// rules work on. Plain values: no HTTP, no SQL. Wire spellings of the enums live in
// to_string()/parse_*() only, so each vendor string is written once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace mock::twilio {

using common::TimePoint;

// message_enum_status (twilio-messaging.md §5).
enum class MessageStatus {
  kQueued,
  kSending,
  kSent,
  kFailed,
  kDelivered,
  kUndelivered,
  kReceiving,
  kReceived,
  kAccepted,
  kScheduled,
  kRead,
  kPartiallyDelivered,
  kCanceled,
};
std::string_view to_string(MessageStatus status);
std::optional<MessageStatus> parse_message_status(std::string_view text);
// Final states (§5): delivered, undelivered, failed, received, canceled, read.
bool is_final(MessageStatus status);

// message_enum_direction.
enum class Direction { kInbound, kOutboundApi, kOutboundCall, kOutboundReply };
std::string_view to_string(Direction direction);
std::optional<Direction> parse_direction(std::string_view text);

struct Account {
  std::string sid;  // AC + 32 hex
  std::string auth_token;
  std::string friendly_name;
  bool test = false;  // test credentials: magic numbers apply, messages never progress (§4)
};

struct ApiKey {
  std::string sid;  // SK + 32 hex
  std::string secret;
  std::string account_sid;
  std::string friendly_name;
};

struct PhoneNumber {
  std::string sid;  // PN + 32 hex
  std::string account_sid;
  std::string phone_number;  // E.164
  bool sms_capable = true;
  std::optional<std::string> sms_url;
  std::optional<std::string> status_callback;
};

// A Messaging Service (MG...): a sender pool and its webhook URLs (twilio-messaging.md §1.1,
// §8). Sends with MessagingServiceSid start `accepted`; the sender is picked later.
struct MessagingService {
  std::string sid;  // MG + 32 hex
  std::string account_sid;
  std::string friendly_name;
  std::vector<std::string> senders;  // E.164 numbers of the account, in pool order
  std::optional<std::string> status_callback;
  std::optional<std::string> inbound_request_url;
};

// One row of the Messages resource. Prices are kept as the wire string ("-0.00790").
struct Message {
  std::string sid;  // SM/MM + 32 hex
  std::string account_sid;
  std::optional<std::string> messaging_service_sid;
  std::optional<std::string> from;
  std::string to;
  std::string body;
  MessageStatus status = MessageStatus::kQueued;
  Direction direction = Direction::kOutboundApi;
  int num_segments = 1;
  int num_media = 0;
  std::vector<std::string> media_urls;
  std::optional<std::string> price;
  std::optional<std::string> price_unit;
  std::optional<int> error_code;
  std::optional<std::string> error_message;
  std::optional<std::string> status_callback;
  TimePoint date_created;
  TimePoint date_updated;
  std::optional<TimePoint> date_sent;
  // Not on the wire: when the scheduler moves this message to its next status (nullopt: it
  // does not move by itself; test accounts, manual mode, final states).
  std::optional<TimePoint> next_at;
};

}  // namespace mock::twilio
