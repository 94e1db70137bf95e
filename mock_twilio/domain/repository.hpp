#pragma once
// What the Messages rules need from storage. store/Store implements it over SQLite; unit tests
// use an in-memory fake. Lookups return std::optional, never vendor errors (house-style §3.1).
// Implementations must be safe to call from several threads at once.

#include <optional>
#include <string>
#include <vector>

#include "mock_twilio/domain/model.hpp"

namespace mock::twilio {

// A list query, already validated. Ordering is always newest first (date_created desc, then
// sid desc); `after`/`before` are keyset anchors (the message with that SID).
struct MessageQuery {
  std::string account_sid;
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<TimePoint> sent_from;   // date_sent >= sent_from
  std::optional<TimePoint> sent_until;  // date_sent <  sent_until
  // Keyset paging: strictly older than `after` (next pages) or strictly newer than `before`
  // (previous pages; still returned newest first).
  std::optional<Message> after;
  std::optional<Message> before;
  std::size_t limit = 50;
};

// Filters of the /_mock/messages inspection API (all optional, exact match).
struct InspectionFilter {
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<std::string> account_sid;
};

class MessageRepository {
 public:
  virtual ~MessageRepository() = default;
  virtual std::optional<Account> find_account(const std::string& sid) = 0;
  virtual std::optional<ApiKey> find_api_key(const std::string& sid) = 0;
  virtual std::optional<PhoneNumber> find_phone_number(const std::string& account_sid,
                                                       const std::string& number) = 0;
  virtual void insert_message(const Message& message) = 0;
  // Replaces the row with the same SID.
  virtual void update_message(const Message& message) = 0;
  virtual std::optional<Message> find_message(const std::string& account_sid,
                                              const std::string& sid) = 0;
  virtual std::vector<Message> list_messages(const MessageQuery& query) = 0;
  // True when a row was deleted.
  virtual bool delete_message(const std::string& account_sid, const std::string& sid) = 0;
  // Inspection (/_mock/messages): newest first.
  virtual std::vector<Message> inspect_messages(const InspectionFilter& filter) = 0;
  // Deletes every message; returns how many.
  virtual std::size_t clear_messages() = 0;
};

}  // namespace mock::twilio
