#pragma once
// What the Messages rules need from storage. store/Store implements it over SQLite; unit tests
// use an in-memory fake. Lookups return std::optional, never vendor errors (house-style §3.1).
// Implementations must be safe to call from several threads at once.

#include <optional>
#include <string>
#include <vector>

#include "mock_twilio/domain/callbacks.hpp"
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

// A status step's result to write: the message after its last step, and whether a step
// changed its sender (a Messaging Service picks one when the message leaves `accepted`).
struct MessageChange {
  Message message;
  bool sender_changed = false;
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
  // Writes the rows the status worker moved on, in order (a store may batch them).
  virtual void update_messages(const std::vector<MessageChange>& changes) {
    for (const auto& c : changes) update_message(c.message);
  }
  virtual std::optional<Message> find_message(const std::string& account_sid,
                                              const std::string& sid) = 0;
  virtual std::vector<Message> list_messages(const MessageQuery& query) = 0;
  // True when a row was deleted.
  virtual bool delete_message(const std::string& account_sid, const std::string& sid) = 0;
  // Inspection (/_mock/messages): newest first.
  virtual std::vector<Message> inspect_messages(const InspectionFilter& filter) = 0;
  // Deletes every message; returns how many.
  virtual std::size_t clear_messages() = 0;

  // Messaging Services (account-scoped lookup) and number owners (inbound: any account).
  virtual std::optional<MessagingService> find_messaging_service(const std::string& account_sid,
                                                                 const std::string& sid) = 0;
  virtual std::optional<PhoneNumber> find_number_owner(const std::string& number) = 0;
  virtual std::optional<MessagingService> find_service_by_sender(const std::string& number) = 0;
  // A message by SID whatever its account (control plane).
  virtual std::optional<Message> find_message_by_sid(const std::string& sid) = 0;
  // Messages with next_at <= now, earliest first (next_at, then date_created, then sid), at
  // most `limit`. When more than `limit` are due at the same instant, which of those make the
  // batch may follow the store's order rather than date_created, sid.
  virtual std::vector<Message> due_messages(TimePoint now, std::size_t limit) = 0;
  virtual std::optional<TimePoint> next_message_due() = 0;

  // Webhook attempts. insert returns the new id.
  virtual std::int64_t insert_callback(const CallbackAttempt& attempt) = 0;
  virtual void update_callback(const CallbackAttempt& attempt) = 0;
  // Pending attempts with due_at <= now: by due_at, then id (newest id first if
  // `newest_first`).
  virtual std::vector<CallbackAttempt> due_callbacks(TimePoint now, bool newest_first) = 0;
  virtual std::optional<TimePoint> next_callback_due() = 0;
  // Every attempt in id order, optionally of one message.
  virtual std::vector<CallbackAttempt> list_callbacks(
      const std::optional<std::string>& message_sid) = 0;

  // Opt-outs: per account and end-user number (README "Deviations and choices").
  virtual void set_opted_out(const std::string& account_sid, const std::string& number,
                             bool opted_out) = 0;
  virtual bool is_opted_out(const std::string& account_sid, const std::string& number) = 0;
};

}  // namespace mock::twilio
