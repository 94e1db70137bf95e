#pragma once
// mock_twilio's store: the only user of SQLiteCpp in this service (house-style §3.1). Rows <->
// structs, prepared statements cached per connection (Conn::prepare), fixture loading.
// Accounts, API keys, phone numbers, Messaging Services and opt-outs are also kept in memory
// (a Directory read from the tables on first use, dropped by load_fixture and set_opted_out,
// the only writers of those tables): every request authenticates and every create and status
// step looks up a number, and those lookups then take no lock shared with the SQL.
// Thread safety: every method takes the connection's lock through Sqlite::with() or the
// directory's; callable from any thread.
//
// Created messages are queued and written in batches, one transaction each, not one
// transaction per request: the connection's lock is the one thing every request thread would
// otherwise queue on, and on two shared cores a thread preempted while holding it stalled them
// all (bench/README.md). Every method that reads message rows first writes the whole queue
// under that lock, so a read always sees every message whose insert_message() returned.
// - A ":memory:" store is write-behind: insert_message() returns once the message is queued. A
//   writer thread writes the queue after a 1 ms gathering pause, and the status worker's due
//   query writes part of it; past 256 queued messages request threads write chunks of it when
//   the lock is free, and past 16384 they wait for room (backpressure). The writer thread asks
//   for a priority 5 nice levels above the process's: one thread writes what 16 request
//   threads create, and at an equal share of the CPU it fell behind under load, so request
//   threads wrote chunks of 32 rows, and each such request, queued behind the others on its
//   CPU, took ~2 ms (POST's p99). Where the priority is granted (root, CAP_SYS_NICE, or
//   RLIMIT_NICE), request threads write only past 8192 queued. A message is lost only
//   if its INSERT fails (a duplicate SID), reported to the write-error handler: the process's
//   memory is the store's only copy anyway.
// - A file store (--db) is group commit: insert_message() returns only once its message is
//   committed (durable as before: an acknowledged message survives kill -9); the first caller
//   to take the lock writes everything queued by then, the others find theirs written. An
//   INSERT that fails throws from its own caller's insert_message() only.

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fixtures.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"
#include "mock_twilio/domain/model.hpp"
#include "mock_twilio/domain/repository.hpp"

namespace mock::twilio {

// store/schema.sql, embedded by embed_text() (CMakeLists.txt).
extern const std::string_view kSchemaSql;  // NOLINT(readability-identifier-naming): a constant
                                           // (defined by embed_text), named as one
// 3: the message indexes ascending (schema.sql); a version-2 --db file is refused, untouched.
inline constexpr int kSchemaVersion = 3;
// PRAGMA application_id of a mock_twilio --db file ("MKTW"): another service's database is
// refused at start by what it is, not only by its schema version.
inline constexpr std::uint32_t kApplicationId = 0x4D4B5457;

// The SELECT Store::list_messages runs for `q` (which filters and anchors are present decide
// it; the values are bound). Exposed for store_test's query-plan check.
std::string list_messages_sql(const MessageQuery& q);

// The "twilio" section of a fixture file, validated.
struct TwilioFixture {
  std::vector<Account> accounts;
  std::vector<ApiKey> api_keys;
  std::vector<PhoneNumber> phone_numbers;
  std::vector<MessagingService> messaging_services;
  std::vector<Message> messages;
};

// Reads file.doc["twilio"] strictly (common::FixtureReader): AC/SK/PN/SM(MM) SIDs must match
// ^XX[0-9a-f]{32}$, numbers must be E.164, references must name a listed account, unknown keys
// are rejected. The error reads "FILE: /twilio/...: problem".
//   accounts[{sid, auth_token, friendly_name?, test?}]
//   api_keys[{sid, secret, account_sid, friendly_name?}]
//   phone_numbers[{sid, account_sid, phone_number, sms_capable?, sms_url?, status_callback?}]
//   messaging_services[{sid, account_sid, friendly_name?, senders[] (numbers of that
//             account), status_callback?, inbound_request_url?}]
//   messages[{sid, account_sid, to, from?, body?, status?, direction?, messaging_service_sid?,
//             num_segments?, media_urls?, price?, price_unit?, error_code?, error_message?,
//             status_callback?, date_created, date_updated?, date_sent?}]   (dates ISO-8601 Z)
common::Result<TwilioFixture, std::string> parse_fixture(const common::FixtureFile& file);

// When request threads themselves write Store's write-behind queue (see the header comment).
struct WriteQueueLimits {
  std::size_t write_from = 256;   // a chunk, when the connection's lock is free
  std::size_t wait_from = 16384;  // waiting for room in the queue (~10 MB of queued messages)
  // write_from instead, once the writer thread got writer_boost: it then keeps up on its own.
  std::size_t write_from_boosted = 8192;
  // Nice levels below the process's that the writer thread asks for (0: none). Granted with
  // CAP_SYS_NICE (root) or an RLIMIT_NICE that allows it; otherwise it runs as the others.
  int writer_boost = 5;
};

// The messages find_message() read last, by SID, so that reading one again takes no lock
// shared with the SQL: a client watching a message's status fetches the same row again and
// again, and under 16 connections the connection's lock was what GET's tail waited on
// (bench/README.md, "Session 12"). Sharded; a full shard forgets an arbitrary entry.
// put(), erase() and clear() are called with the connection's lock held, by the readers that
// just read the row and by every writer of message rows after its change, so a cached row is
// never older than the table's (a reader cannot put what a writer has already replaced).
// get() takes only its shard's lock.
class MessageCache {
 public:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kPerShard = 256;

  std::shared_ptr<const Message> get(const std::string& sid) const;
  void put(const Message& m);
  void erase(const std::string& sid);
  void clear();
  std::size_t size() const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const Message>> rows;  // guarded by mutex
  };
  Shard& shard_of(const std::string& sid) const {
    return shards_[std::hash<std::string>{}(sid) % kShards];
  }
  mutable std::array<Shard, kShards> shards_;
};

class Store final : public MessageRepository {
 public:
  // `on_write_error` hears of a queued message whose INSERT failed after insert_message()
  // returned (write-behind only); it may be called on the writer thread.
  explicit Store(common::Sqlite& db,
                 std::function<void(const std::string&)> on_write_error = nullptr,
                 WriteQueueLimits limits = WriteQueueLimits());
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Commits every queued message (GET /_mock/snapshot calls it before copying the file).
  void flush();
  // Whether the write-behind thread runs limits.writer_boost nice levels above the process
  // (false for a --db store, which has no writer thread).
  bool writer_boosted() const { return writer_boosted_; }
  const WriteQueueLimits& limits() const { return limits_; }

  // Reset = rebuild: drops everything and loads `fixture`, in one transaction.
  void load_fixture(const TwilioFixture& fixture);
  // Every table as JSON (GET /_mock/state); secrets are masked.
  nlohmann::json dump_state();

  std::optional<Account> find_account(const std::string& sid) override;
  std::optional<ApiKey> find_api_key(const std::string& sid) override;
  std::optional<PhoneNumber> find_phone_number(const std::string& account_sid,
                                               const std::string& number) override;
  void insert_message(const Message& message) override;
  void update_message(const Message& message) override;
  // One transaction per few rows; the sender column only where it changed.
  void update_messages(const std::vector<MessageChange>& changes) override;
  std::optional<Message> find_message(const std::string& account_sid,
                                      const std::string& sid) override;
  std::vector<Message> list_messages(const MessageQuery& query) override;
  bool delete_message(const std::string& account_sid, const std::string& sid) override;
  std::vector<Message> inspect_messages(const InspectionFilter& filter) override;
  std::size_t clear_messages() override;

  std::optional<MessagingService> find_messaging_service(const std::string& account_sid,
                                                         const std::string& sid) override;
  std::optional<PhoneNumber> find_number_owner(const std::string& number) override;
  std::optional<MessagingService> find_service_by_sender(const std::string& number) override;
  std::optional<Message> find_message_by_sid(const std::string& sid) override;
  std::vector<Message> due_messages(TimePoint now, std::size_t limit) override;
  std::optional<TimePoint> next_message_due() override;
  std::int64_t insert_callback(const CallbackAttempt& attempt) override;
  void update_callback(const CallbackAttempt& attempt) override;
  std::vector<CallbackAttempt> due_callbacks(TimePoint now, bool newest_first) override;
  std::optional<TimePoint> next_callback_due() override;
  std::vector<CallbackAttempt> list_callbacks(
      const std::optional<std::string>& message_sid) override;
  void set_opted_out(const std::string& account_sid, const std::string& number,
                     bool opted_out) override;
  bool is_opted_out(const std::string& account_sid, const std::string& number) override;

 private:
  using Key = std::pair<std::string, std::string>;  // (account SID, number or SID)
  struct Directory {
    std::unordered_map<std::string, Account> accounts;
    std::unordered_map<std::string, ApiKey> api_keys;
    std::map<Key, PhoneNumber> numbers;
    std::map<Key, MessagingService> services;
    std::set<Key> opt_outs;
  };
  // Sqlite::with() after committing the queue: every method that reads or writes message rows
  // (the worker's batch updates and the number, service, opt-out and callback tables go to
  // db_.with() directly: they have nothing to do with the queue).
  template <class Fn>
  auto with(Fn&& fn) {
    return db_.with([&](common::Conn& c) {
      write_queue_locked(c);
      return fn(c);
    });
  }
  // Takes up to `limit` queued messages, oldest first, and inserts them in one transaction
  // (row by row if that fails); under the connection's lock. Returns how many are left.
  std::size_t write_queue_locked(common::Conn& c, std::size_t limit = SIZE_MAX);
  void writer_loop();

  // The current directory, read from the tables when there is none.
  std::shared_ptr<const Directory> directory();
  void drop_directory();

  common::Sqlite& db_;
  const bool write_behind_;  // a :memory: store: see the header comment
  const WriteQueueLimits limits_;
  std::function<void(const std::string&)> on_write_error_;

  // The queue of created messages. A ticket numbers each; tickets up to written_ are done
  // (committed, failed or dropped by a rebuild). failed_ holds the failed tickets of callers
  // still waiting (group commit).
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::condition_variable room_cv_;  // the queue fell below limits_.wait_from, or stopping_
  std::deque<std::pair<std::uint64_t, Message>> queue_;  // guarded by queue_mutex_
  std::uint64_t last_ticket_ = 0;                        // guarded by queue_mutex_
  bool stopping_ = false;                                // guarded by queue_mutex_
  std::size_t room_waiters_ = 0;                         // guarded by queue_mutex_
  std::set<std::uint64_t> failed_;                       // guarded by the connection's lock
  std::thread writer_;                                   // write-behind only
  bool writer_boosted_ = false;  // set by the writer thread before the constructor returns

  std::mutex directory_mutex_;
  std::shared_ptr<const Directory> directory_;  // guarded by directory_mutex_; null: re-read

  MessageCache cache_;  // see MessageCache: changed only under the connection's lock
};

}  // namespace mock::twilio
