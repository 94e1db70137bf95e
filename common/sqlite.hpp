#pragma once
// One SQLite connection per server behind one mutex (house-style §3.4). SQLiteCpp forbids
// using a connection from two threads at once and httplib runs many workers, so every access
// goes through with(fn), which holds the lock for the duration of fn and nothing else.
//
// Prepared statements are cached per connection (Conn::prepare), so hot paths compile their
// SQL once. A file database runs in WAL mode with synchronous=NORMAL: a commit appends the
// transaction to the -wal file with write() before it returns (and before any answer is sent),
// so it is in the kernel's page cache and survives a crash of the process (kill -9): the next
// open replays the WAL. Only a power cut or OS crash can lose the last commits (fsync happens
// at checkpoints), and never corrupts the file.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/result.hpp"

namespace mock::common {

// What with(fn) hands to fn: the database and a per-connection statement cache.
class Conn {
 public:
  explicit Conn(SQLite::Database& database) : db(database) {}
  SQLite::Database& db;
  // A cached statement for `sql`, reset and with its bindings cleared. Valid until the next
  // rebuild(); do not keep it beyond the with() call.
  SQLite::Statement& prepare(const std::string& sql);
  void clear_cache() { cache_.clear(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
};

class Sqlite {
 public:
  static constexpr std::string_view kMemoryPath = ":memory:";
  // Opens `path` (":memory:" for an ephemeral store).
  //
  // ":memory:" is created with `schema` at once. A file that is new, empty, or was created but
  // never loaded is fresh(): it gets its schema, PRAGMA user_version = `version` and
  // PRAGMA application_id = `application_id` (when non-zero) in the caller's first rebuild(),
  // in the same transaction as the fixture, so a failed or interrupted first load leaves a
  // file that is still fresh at the next start, never an empty "loaded" store.
  //
  // Any other file is first inspected through a read-only connection (which never writes the
  // file: no WAL checkpoint, no header change) and refused, with a message naming the file and
  // the problem, when it is not a SQLite database or is truncated/corrupted (PRAGMA
  // quick_check), carries another non-zero application_id (another service's database),
  // another user_version (newer or older schema), or tables without a user_version. A refused
  // file is left byte for byte as it was.
  static Result<std::unique_ptr<Sqlite>, std::string> open(const std::string& path,
                                                           std::string_view schema, int version,
                                                           std::uint32_t application_id = 0);

  // True until the store holds a loaded schema: the caller must rebuild() it with its fixture.
  bool fresh() const { return fresh_; }
  const std::string& path() const { return path_; }
  // An ephemeral store (opened as ":memory:"; memdb underneath).
  bool in_memory() const { return path_ == kMemoryPath; }

  template <class Fn>
  auto with(Fn&& fn) {
    std::lock_guard lock(mutex_);
    pristine_ = false;  // fn may write
    return fn(conn_);
  }

  // with(fn) only if the lock is free now; false (fn not called) when another thread holds it.
  template <class Fn>
  bool try_with(Fn&& fn) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    pristine_ = false;
    fn(conn_);
    return true;
  }

  // Under the lock and in one transaction: drop every table, re-run the schema, call
  // load(conn). Requests see the old world or the new one, never a mix. Throws what load or
  // SQLite throws (the transaction is rolled back, the old state stays).
  template <class Fn>
  void rebuild(Fn&& load) {
    std::lock_guard lock(mutex_);
    conn_.clear_cache();
    SQLite::Transaction tx(*db_);
    if (!pristine_) {  // a schema created at open with nothing written since is reused as is
      drop_all_locked();
      create_schema_locked();
    }
    load(conn_);
    tx.commit();
    fresh_ = false;
    pristine_ = false;
    conn_.clear_cache();
  }

  // VACUUM INTO `path` (a consistent copy that --db can reopen).
  void export_to(const std::string& path);

 private:
  Sqlite(std::unique_ptr<SQLite::Database> db, std::string path, std::string_view schema,
         int version, std::uint32_t application_id);
  void drop_all_locked();
  void create_schema_locked();

  std::mutex mutex_;
  // State below is protected by mutex_.
  std::unique_ptr<SQLite::Database> db_;
  Conn conn_;
  std::string path_;
  std::string schema_;
  int version_;
  std::uint32_t application_id_;
  bool fresh_ = false;
  // True from a :memory: store's schema creation at open until the first with() or rebuild():
  // the first fixture load (every start without --db) skips dropping and re-creating it.
  bool pristine_ = false;
};

}  // namespace mock::common
