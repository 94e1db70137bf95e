#pragma once
// One SQLite connection per server behind one mutex (house-style §3.4). SQLiteCpp forbids
// using a connection from two threads at once and httplib runs many workers, so every access
// goes through with(fn), which holds the lock for the duration of fn and nothing else.
//
// Prepared statements are cached per connection (Conn::prepare), so hot paths compile their
// SQL once. A file database runs in WAL mode with synchronous=NORMAL: a committed transaction
// survives a crash of the process (kill -9), not a power cut.

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
  // Opens `path` (":memory:" for an ephemeral store). For a file: a new or empty database is
  // created with `schema` and stamped with `version` (the `loaded` flag tells the caller to
  // load its fixture); an existing one must carry PRAGMA user_version == version, else the
  // open fails with a message naming the file (it is never overwritten).
  static Result<std::unique_ptr<Sqlite>, std::string> open(const std::string& path,
                                                           std::string_view schema, int version);

  // True when open() created the schema (a fresh store that needs its fixture).
  bool fresh() const { return fresh_; }
  const std::string& path() const { return path_; }

  template <class Fn>
  auto with(Fn&& fn) {
    std::lock_guard lock(mutex_);
    return fn(conn_);
  }

  // Under the lock and in one transaction: drop every table, re-run the schema, call
  // load(conn). Requests see the old world or the new one, never a mix. Throws what load or
  // SQLite throws (the transaction is rolled back, the old state stays).
  template <class Fn>
  void rebuild(Fn&& load) {
    std::lock_guard lock(mutex_);
    conn_.clear_cache();
    SQLite::Transaction tx(*db_);
    drop_all_locked();
    create_schema_locked();
    load(conn_);
    tx.commit();
    conn_.clear_cache();
  }

  // VACUUM INTO `path` (a consistent copy that --db can reopen).
  void export_to(const std::string& path);

 private:
  Sqlite(std::unique_ptr<SQLite::Database> db, std::string path, std::string_view schema,
         int version);
  void drop_all_locked();
  void create_schema_locked();

  std::mutex mutex_;
  // State below is protected by mutex_.
  std::unique_ptr<SQLite::Database> db_;
  Conn conn_;
  std::string path_;
  std::string schema_;
  int version_;
  bool fresh_ = false;
};

}  // namespace mock::common
