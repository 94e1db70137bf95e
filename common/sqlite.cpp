#include "common/sqlite.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sqlite3.h>

namespace mock::common {

SQLite::Statement& Conn::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
  } else {
    // tryReset: reset() throws the error of the statement's last step, so after one failed
    // INSERT (a constraint) every later use of that statement would throw it again.
    it->second->tryReset();
    it->second->clearBindings();
  }
  return *it->second;
}

Sqlite::Sqlite(std::unique_ptr<SQLite::Database> db, std::string path, std::string_view schema,
               int version, std::uint32_t application_id)
    : db_(std::move(db)),
      conn_(*db_),
      path_(std::move(path)),
      schema_(schema),
      version_(version),
      application_id_(application_id) {}

namespace {

constexpr const char* kLeftUntouched =
    "refusing to open it (it is left untouched: remove the file or point --db elsewhere)";

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// The application_id as hex, with its four bytes as text when they are printable ("MKTW").
std::string describe_application_id(std::uint32_t id) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<char>((id >> shift) & 0xFFu);
    if (c < 0x20 || c > 0x7E) return fmt::format("{:#010x}", id);
    text.push_back(c);
  }
  return fmt::format("{:#010x} (\"{}\")", id, text);
}

// Why the existing, non-empty database file `path` must not be opened, if it must not. Reads
// through a read-only connection: it never checkpoints a WAL into the file or rewrites its
// header, so a refused file stays byte for byte as it was. An empty -wal/-shm pair that this
// connection had to create is removed again.
std::optional<std::string> inspect_existing(const std::string& path, int version,
                                            std::uint32_t application_id) {
  const std::string wal = path + "-wal";
  const std::string shm = path + "-shm";
  const bool had_wal = exists(wal);
  const bool had_shm = exists(shm);
  std::optional<std::string> refusal;
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    const auto found_app =
        static_cast<std::uint32_t>(db.execAndGet("PRAGMA application_id").getInt());
    const int found = db.execAndGet("PRAGMA user_version").getInt();
    const int tables =
        db.execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table'").getInt();
    if (application_id != 0 && found_app != 0 && found_app != application_id) {
      refusal = fmt::format(
          "{}: not a database of this service: its application_id is {}, this service's is {} "
          "(the other mock service's database, or another program's); {}",
          path, describe_application_id(found_app), describe_application_id(application_id),
          kLeftUntouched);
    } else if (found != 0 && found != version) {
      refusal = fmt::format(
          "{}: database schema version {} is not this build's version {} (the file was written "
          "by {} build); {}",
          path, found, version, found > version ? "a newer" : "an older", kLeftUntouched);
    } else if (found == 0 && tables > 0) {
      refusal = fmt::format("{}: not a database of this mock (tables but no schema version); {}",
                            path, kLeftUntouched);
    } else if (tables > 0) {
      // Reads every page: a truncated or damaged file is refused here rather than failing
      // requests later. Linear in the file's size (about a second per few hundred MB).
      SQLite::Statement check(db, "PRAGMA quick_check(3)");
      std::vector<std::string> problems;
      while (check.executeStep()) problems.push_back(check.getColumn(0).getString());
      if (problems.size() != 1 || problems.front() != "ok") {
        refusal = fmt::format("{}: database is corrupted (quick_check: {}); {}", path,
                              fmt::join(problems, "; "), kLeftUntouched);
      }
    }
  } catch (const SQLite::Exception& e) {
    refusal = fmt::format(
        "{}: cannot open database: {} (not a SQLite database, or truncated or corrupted); {}", path,
        e.what(), kLeftUntouched);
  }
  std::error_code ec;
  if (!had_wal && exists(wal) && std::filesystem::file_size(wal, ec) == 0 && !ec) {
    std::filesystem::remove(wal, ec);
    if (!had_shm) std::filesystem::remove(shm, ec);
  }
  return refusal;
}

}  // namespace

namespace {

// Process-wide SQLite settings, applied once before the library initialises (sqlite3_config
// refuses them afterwards; then the defaults stay, which are only slower). Every connection of
// this process is used under its Sqlite's mutex, one thread at a time, so SQLite's own
// per-connection mutexes (the default "serialized" mode) only add a lock per API call; and
// its memory statistics take a global mutex on every allocation (~130 per created message).
// Together ~370 lock/unlock pairs per POST (bench/README.md). A library setting, not state:
// the once_flag is the only static.
void configure_sqlite() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

Result<std::unique_ptr<Sqlite>, std::string> Sqlite::open(const std::string& path,
                                                          std::string_view schema, int version,
                                                          std::uint32_t application_id) {
  configure_sqlite();
  const bool memory = path == kMemoryPath;
  if (!memory) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > 0) {
      if (auto refusal = inspect_existing(path, version, application_id)) return fail(*refusal);
    }
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    if (memory) {
      // SQLite's memdb VFS (a private in-memory file; the name without a leading '/' is not
      // shared) instead of ":memory:": a ":memory:" pager's page cache is the database itself,
      // and every commit walked that cache's whole hash table (pcache1TruncateUnsafe, O(pages):
      // 4-7% of mock_twilio's CPU at 10^5 messages, growing with the store; bench/README.md).
      // memdb keeps the pages in one buffer behind an ordinary bounded cache. Its 1 GiB default
      // size limit is lifted to ":memory:"'s (none).
      db = std::make_unique<SQLite::Database>(
          "file:mock?vfs=memdb", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_URI);
      sqlite3_int64 limit = std::numeric_limits<sqlite3_int64>::max();
      sqlite3_file_control(db->getHandle(), "main", SQLITE_FCNTL_SIZE_LIMIT, &limit);
      db->exec("PRAGMA journal_mode = MEMORY");
    } else {
      db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    }
    db->exec("PRAGMA busy_timeout = 5000");
    const int found = db->execAndGet("PRAGMA user_version").getInt();
    const int tables =
        db->execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table'").getInt();
    // inspect_existing() refused any other combination; this guards a file that appeared or
    // changed since (another process) without writing to it.
    if ((found != 0 && found != version) || (found == 0 && tables > 0)) {
      return fail(
          fmt::format("{}: database changed while it was being opened; {}", path, kLeftUntouched));
    }
    db->exec("PRAGMA foreign_keys = ON");
    if (!memory) {
      db->exec("PRAGMA journal_mode = WAL");
      db->exec("PRAGMA synchronous = NORMAL");
    }
    std::unique_ptr<Sqlite> out(new Sqlite(std::move(db), path, schema, version, application_id));
    if (found == 0) {
      out->fresh_ = true;
      // A file gets its schema with its first load (rebuild), in one transaction; memory now,
      // for callers that use the schema without a fixture.
      if (memory) {
        std::lock_guard lock(out->mutex_);
        SQLite::Transaction tx(*out->db_);
        out->create_schema_locked();
        tx.commit();
        out->pristine_ = true;
      }
    } else if (application_id != 0 &&
               static_cast<std::uint32_t>(out->db_->execAndGet("PRAGMA application_id").getInt()) ==
                   0) {
      // A file written before application ids were stamped: claim it.
      out->db_->exec(fmt::format("PRAGMA application_id = {}", application_id));
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
  // Signed in SQLite's header field: the bit pattern is what identifies the service.
  if (application_id_ != 0) {
    db_->exec(
        fmt::format("PRAGMA application_id = {}", static_cast<std::int32_t>(application_id_)));
  }
}

void Sqlite::export_to(const std::string& path) {
  std::lock_guard lock(mutex_);
  // Cached statements keep their last step until their next use, and a SELECT left on a row
  // is a statement in progress: VACUUM refused ("SQL statements in progress") after any
  // lookup, so every snapshot after the first request was a 500.
  conn_.clear_cache();
  SQLite::Statement st(*db_, "VACUUM INTO ?");
  if (in_memory()) {
    // VACUUM INTO opens its target with the database's own VFS: memdb's, whose files are in
    // memory, so the copy never reached the disk and GET /_mock/snapshot answered an empty
    // body. A URI (the connection was opened with SQLITE_OPEN_URI) names the disk's VFS.
    std::string uri = "file:";
    for (const char ch : path) {
      if (ch == '%' || ch == '?' || ch == '#') {
        uri += fmt::format("%{:02X}", static_cast<unsigned char>(ch));
      } else {
        uri += ch;
      }
    }
    st.bind(1, uri + "?vfs=unix");
  } else {
    st.bind(1, path);
  }
  st.exec();
}

}  // namespace mock::common
