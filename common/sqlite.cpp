#include "common/sqlite.hpp"

#include <vector>

#include <fmt/format.h>

namespace mock::common {

SQLite::Statement& Conn::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
  } else {
    it->second->reset();
    it->second->clearBindings();
  }
  return *it->second;
}

Sqlite::Sqlite(std::unique_ptr<SQLite::Database> db, std::string path, std::string_view schema,
               int version)
    : db_(std::move(db)), conn_(*db_), path_(std::move(path)), schema_(schema), version_(version) {}

Result<std::unique_ptr<Sqlite>, std::string> Sqlite::open(const std::string& path,
                                                          std::string_view schema, int version) {
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db->exec("PRAGMA busy_timeout = 5000");
    // Check before any pragma that writes: switching to WAL rewrites the file header, and a
    // file we refuse must be left byte for byte as it was.
    const int found = db->execAndGet("PRAGMA user_version").getInt();
    const int tables =
        db->execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table'").getInt();
    if (found != 0 && found != version) {
      return fail(fmt::format(
          "{}: database schema version {} is not this build's version {}; refusing to open it "
          "(it is left untouched: remove the file or point --db elsewhere)",
          path, found, version));
    }
    if (found == 0 && tables > 0) {
      return fail(fmt::format(
          "{}: not a database of this mock (tables but no schema version); refusing to open it",
          path));
    }
    db->exec("PRAGMA foreign_keys = ON");
    if (path != ":memory:") {
      db->exec("PRAGMA journal_mode = WAL");
      db->exec("PRAGMA synchronous = NORMAL");
    }
    std::unique_ptr<Sqlite> out(new Sqlite(std::move(db), path, schema, version));
    if (found == 0) {
      std::lock_guard lock(out->mutex_);
      SQLite::Transaction tx(*out->db_);
      out->create_schema_locked();
      tx.commit();
      out->fresh_ = true;
    }
    return out;
  } catch (const SQLite::Exception& e) {
    return fail(fmt::format("{}: cannot open database: {}", path, e.what()));
  }
}

void Sqlite::drop_all_locked() {
  std::vector<std::string> names;
  {
    SQLite::Statement q(*db_,
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                        "'sqlite_%' ORDER BY rowid");
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  }
  db_->exec("PRAGMA defer_foreign_keys = ON");
  // Newest first: a table that references another was created after it (schema order), and
  // dropping children before parents keeps foreign-key checks happy inside the transaction.
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    db_->exec(fmt::format("DROP TABLE IF EXISTS \"{}\"", *it));
  }
}

void Sqlite::create_schema_locked() {
  db_->exec(schema_);
  db_->exec(fmt::format("PRAGMA user_version = {}", version_));
}

void Sqlite::export_to(const std::string& path) {
  std::lock_guard lock(mutex_);
  SQLite::Statement st(*db_, "VACUUM INTO ?");
  st.bind(1, path);
  st.exec();
}

}  // namespace mock::common
