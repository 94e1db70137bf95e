#pragma once
// mock_truevault's store: the only place with SQL (house-style §3.1). Lookups return
// std::optional, reads return model structs, no vendor errors. Backed by one common::Sqlite
// connection behind its mutex, so every method may be called from any thread.
//
// Check-then-write sequences in the domain (a username is free, then insert) take
// lock_writes() so two requests cannot interleave them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "mock_truevault/domain/model.hpp"
#include "mock_truevault/domain/search.hpp"

namespace mock::common {
class Conn;
class Sqlite;
}  // namespace mock::common

namespace mock::truevault {

// 2: users.created_at_ms and the search indexes (an older --db file is refused at start).
inline constexpr int kSchemaVersion = 2;
// PRAGMA application_id of a mock_truevault --db file ("MKTV"): another service's database is
// refused at start by what it is, not only by its schema version.
inline constexpr std::uint32_t kApplicationId = 0x4D4B5456;

class Store {
 public:
  // ":memory:" or a file (see common::Sqlite::open).
  static common::Result<std::unique_ptr<Store>, std::string> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True when the database was just created (it needs its fixture).
  bool fresh() const;
  // Replaces everything with `data` in one transaction (reset = rebuild).
  void replace_all(const FixtureData& data);
  // Every table as JSON (GET /_mock/state). Password hashes are left out.
  nlohmann::json dump();
  void export_to(const std::string& path);

  // Serialises the domain's check-then-write sequences.
  std::unique_lock<std::mutex> lock_writes() { return std::unique_lock(write_mutex_); }

  bool account_exists(const std::string& id);

  // Users (group_ids filled in).
  std::optional<User> find_user(const std::string& id);
  std::optional<User> find_user_by_api_key(const std::string& key);
  // The non-DEACTIVATED user of `account_id` called `username`.
  std::optional<User> find_live_user_by_username(const std::string& account_id,
                                                 const std::string& username);
  // `status` nullopt = every non-DEACTIVATED user.
  std::vector<User> list_users(const std::string& account_id, std::optional<UserStatus> status);
  void insert_user(const User& user);
  // Writes username, password_hash, status, attributes, api_key, mfa_enrolled.
  void update_user(const User& user);
  // User search (store/search_store.cpp): the page of `query` among the users of
  // `account_id`, and the count of every match, as SQL (filters in the WHERE clause,
  // LIMIT/OFFSET paging).
  SearchRows search_users(const std::string& account_id, const SearchQuery& query);

  // Access tokens.
  void insert_token(const AccessToken& token);
  std::optional<AccessToken> find_token(const std::string& token);
  void revoke_token(const std::string& token);
  void revoke_user_tokens(const std::string& user_id);

  // Groups (user_ids filled in).
  std::optional<Group> find_group(const std::string& id);
  std::optional<Group> find_group_by_name(const std::string& account_id, const std::string& name);
  std::vector<Group> list_groups(const std::string& account_id);
  // The policies of every group `user_id` belongs to.
  std::vector<nlohmann::json> policies_of_user(const std::string& user_id);
  void insert_group(const Group& group);  // with its user_ids
  void update_group(const Group& group);  // name, policy
  void delete_group(const std::string& id);
  void add_members(const std::string& group_id, const std::vector<std::string>& user_ids);
  void remove_members(const std::string& group_id, const std::vector<std::string>& user_ids);
  void set_members(const std::string& group_id, const std::vector<std::string>& user_ids);
  void remove_user_from_all_groups(const std::string& user_id);

  // The Messaging-API outbox. In a ":memory:" store insert_outbox() only queues the entry;
  // the queue is written in one transaction when it holds kOutboxBatch entries, and before
  // anything reads or replaces the outbox (list_outbox, clear_outbox, dump, export_to,
  // replace_all): one transaction per SMS was ~12% of mock_truevault's CPU in the guide's flow
  // (bench/README.md), most of it commit work and threads queued on the connection's lock.
  // Readers see every entry whose insert_outbox() returned. A batch whose INSERT fails (only
  // running out of memory can: every column is given) is rolled back and lost, and the call
  // that wrote it throws (a 500); the process's memory is that store's only copy anyway. A
  // --db store writes each entry at once, as before (an answered SMS's entry survives kill -9).
  static constexpr std::size_t kOutboxBatch = 64;
  void insert_outbox(const OutboxEntry& entry);
  std::vector<OutboxEntry> list_outbox();
  void clear_outbox();
  // How many outbox entries wait in the queue (tests; always 0 for a --db store).
  std::size_t queued_outbox();

 private:
  explicit Store(std::unique_ptr<common::Sqlite> db);

  // A read cache of the lookups every authenticated request makes (user by API key, user by
  // id, a user's policies): a cached answer skips their SQL and JSON parsing (~50k
  // instructions per SMS). Every write to users, groups or memberships clears it (an
  // Invalidate in the writing method, so after its SQL, even when that throws); a value read
  // from SQLite is kept only when no clear happened meanwhile (generation_ unchanged), so the
  // cache never holds what an earlier generation said. Tokens and the outbox are not cached
  // and their writes keep it.
  class Invalidate {
   public:
    explicit Invalidate(Store& store) : store_(store) {}
    ~Invalidate() { store_.clear_cache(); }
    Invalidate(const Invalidate&) = delete;
    Invalidate& operator=(const Invalidate&) = delete;

   private:
    Store& store_;
  };
  static constexpr std::size_t kMaxCached = 4096;  // per map; a full map is cleared

  void clear_cache();
  // Writes the queued outbox entries (oldest first, one transaction); under the connection's
  // lock, which every reader of the outbox holds while it reads, so that no entry is between
  // the queue and the table while a reader looks.
  void write_outbox_locked(common::Conn& c);
  // map[key], or read() (an optional) kept in map when found and still current.
  template <class T, class Read>
  std::optional<T> cached(std::unordered_map<std::string, T>& map, const std::string& key,
                          Read read) {
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(cache_mutex_);
      if (auto it = map.find(key); it != map.end()) return it->second;
      generation = generation_;
    }
    std::optional<T> value = read();
    if (value) {
      std::lock_guard lock(cache_mutex_);
      if (generation == generation_) {
        if (map.size() >= kMaxCached) map.clear();
        map.emplace(key, *value);
      }
    }
    return value;
  }

  std::unique_ptr<common::Sqlite> db_;
  std::mutex outbox_mutex_;                // taken after the connection's lock, never before it
  std::vector<OutboxEntry> outbox_queue_;  // guarded by outbox_mutex_
  std::mutex write_mutex_;
  std::mutex cache_mutex_;
  // State below is protected by cache_mutex_.
  std::uint64_t generation_ = 0;  // clears so far
  std::unordered_map<std::string, User> users_by_id_;
  std::unordered_map<std::string, User> users_by_key_;
  std::unordered_map<std::string, std::vector<nlohmann::json>> policies_by_user_;
};

}  // namespace mock::truevault
