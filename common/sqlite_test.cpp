#include "common/sqlite.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sqlite3.h>

using namespace mock::common;

namespace {
constexpr std::string_view kSchema = R"(
CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
)";

std::string temp_db(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(p);
  std::filesystem::remove(p.string() + "-wal");
  std::filesystem::remove(p.string() + "-shm");
  return p.string();
}
}  // namespace

TEST_CASE("rebuild drops and reloads tables linked by foreign keys", "[common][sqlite]") {
  auto db = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(db);
  CHECK((*db)->fresh());
  auto load = [](Conn& c) {
    c.db.exec("INSERT INTO parent (id) VALUES (1)");
    c.db.exec("INSERT INTO child (id, parent_id) VALUES (10, 1)");
  };
  (*db)->rebuild(load);
  (*db)->rebuild(load);
  const int children =
      (*db)->with([](Conn& c) { return c.db.execAndGet("SELECT count(*) FROM child").getInt(); });
  CHECK(children == 1);
}

TEST_CASE("a memory store's first load reuses its new schema; rows written before are dropped",
          "[common][sqlite]") {
  auto count = [](Sqlite& db) {
    return db.with([](Conn& c) { return c.db.execAndGet("SELECT count(*) FROM parent").getInt(); });
  };
  auto load = [](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (1)"); };
  auto first = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(first);
  CHECK_THROWS((*first)->rebuild([](Conn& c) { c.db.exec("INSERT INTO nowhere VALUES (1)"); }));
  (*first)->rebuild(load);  // after a failed first load: still the schema alone, loaded once
  CHECK(count(**first) == 1);

  auto second = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(second);
  (*second)->with([](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (99)"); });
  (*second)->rebuild(load);  // a write came first: dropped and rebuilt as before
  CHECK(count(**second) == 1);
}

TEST_CASE("a failed rebuild keeps the old state", "[common][sqlite]") {
  auto db = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(db);
  (*db)->rebuild([](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (7)"); });
  CHECK_THROWS((*db)->rebuild([](Conn& c) { c.db.exec("INSERT INTO nowhere VALUES (1)"); }));
  const int id =
      (*db)->with([](Conn& c) { return c.db.execAndGet("SELECT id FROM parent").getInt(); });
  CHECK(id == 7);
}

TEST_CASE("cached statements are reset between uses", "[common][sqlite]") {
  auto db = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(db);
  (*db)->with([](Conn& c) {
    for (int i = 1; i <= 3; ++i) {
      auto& st = c.prepare("INSERT INTO parent (id) VALUES (?)");
      st.bind(1, i);
      st.exec();
    }
    auto& count = c.prepare("SELECT count(*) FROM parent");
    REQUIRE(count.executeStep());
    CHECK(count.getColumn(0).getInt() == 3);
  });
}

TEST_CASE("a cached statement whose last step failed is usable again", "[common][sqlite]") {
  auto db = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(db);
  (*db)->with([](Conn& c) {
    auto insert = [&](int id) {
      auto& st = c.prepare("INSERT INTO parent (id) VALUES (?)");
      st.bind(1, id);
      st.exec();
    };
    insert(1);
    CHECK_THROWS_WITH(insert(1), Catch::Contains("UNIQUE constraint failed"));
    insert(2);  // reset() would rethrow the UNIQUE error here
    CHECK(c.db.execAndGet("SELECT count(*) FROM parent").getInt() == 2);
  });
}

TEST_CASE("memory stores are private to their Sqlite and have no 1 GiB cap", "[common][sqlite]") {
  auto a = Sqlite::open(":memory:", kSchema, 3);
  auto b = Sqlite::open(":memory:", kSchema, 3);
  REQUIRE(a);
  REQUIRE(b);
  (*a)->with([](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (7)"); });
  (*b)->with([](Conn& c) {
    CHECK(c.db.execAndGet("SELECT count(*) FROM parent").getInt() == 0);
    // memdb's default limit is 1 GiB; -1 asks for the current one without changing it.
    sqlite3_int64 limit = -1;
    REQUIRE(sqlite3_file_control(c.db.getHandle(), "main", SQLITE_FCNTL_SIZE_LIMIT, &limit) ==
            SQLITE_OK);
    CHECK(limit > (sqlite3_int64{1} << 40));
  });
}

TEST_CASE("export_to writes a database file that reopens with the rows, memory or file",
          "[common][sqlite]") {
  // A memory store's copy once went to memdb's in-memory files (VACUUM INTO uses the
  // database's VFS): the target file was never written and GET /_mock/snapshot was empty.
  const bool from_memory = GENERATE(true, false);
  const std::string source = from_memory ? ":memory:" : temp_db("mock-export-source.db");
  // '%', '?' and '#' in the target's name: a URI must escape them.
  const std::string target = temp_db(fmt::format("mock-export %?#-{}.db", from_memory));
  {
    auto db = Sqlite::open(source, kSchema, 3);
    REQUIRE(db);
    (*db)->rebuild([](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (7), (8)"); });
    // A cached lookup left on its first row (as every find_* leaves it): VACUUM once refused
    // with "SQL statements in progress".
    (*db)->with([](Conn& c) { CHECK(c.prepare("SELECT id FROM parent").executeStep()); });
    (*db)->export_to(target);
  }
  REQUIRE(std::filesystem::exists(target));
  auto copy = Sqlite::open(target, kSchema, 3);
  REQUIRE(copy);
  CHECK_FALSE((*copy)->fresh());
  (*copy)->with(
      [](Conn& c) { CHECK(c.db.execAndGet("SELECT count(*) FROM parent").getInt() == 2); });
  copy->reset();
  temp_db(fmt::format("mock-export %?#-{}.db", from_memory));
  if (!from_memory) temp_db("mock-export-source.db");
}

TEST_CASE("a file with another schema version is refused and left untouched", "[common][sqlite]") {
  const std::string path = temp_db("mock_sqlite_version_test.db");
  {
    auto db = Sqlite::open(path, kSchema, 3);
    REQUIRE(db);
    (*db)->rebuild([](Conn&) {});  // the first load stamps the schema version
  }
  {
    auto reopened = Sqlite::open(path, kSchema, 3);
    REQUIRE(reopened);
    CHECK_FALSE((*reopened)->fresh());
  }
  const auto size = std::filesystem::file_size(path);
  auto refused = Sqlite::open(path, kSchema, 4);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("schema version 3 is not this build's version 4") !=
        std::string::npos);
  CHECK(std::filesystem::file_size(path) == size);

  const std::string junk = temp_db("mock_sqlite_junk_test.db");
  std::ofstream(junk) << "not a database at all, just text that is long enough";
  auto bad = Sqlite::open(junk, kSchema, 3);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("cannot open database") != std::string::npos);
}

TEST_CASE("a new file stays fresh until its first load commits", "[common][sqlite]") {
  const std::string path = temp_db("mock_sqlite_fresh_test.db");
  {
    auto db = Sqlite::open(path, kSchema, 3, 0x4D4B5458);
    REQUIRE(db);
    CHECK((*db)->fresh());
    // A first load that fails (a fixture mistake, a crash) leaves no half-initialised store.
    CHECK_THROWS((*db)->rebuild([](Conn& c) { c.db.exec("INSERT INTO nowhere VALUES (1)"); }));
    CHECK((*db)->fresh());
  }
  {
    auto db = Sqlite::open(path, kSchema, 3, 0x4D4B5458);
    REQUIRE(db);
    CHECK((*db)->fresh());
    (*db)->rebuild([](Conn& c) { c.db.exec("INSERT INTO parent (id) VALUES (7)"); });
    CHECK_FALSE((*db)->fresh());
  }
  auto db = Sqlite::open(path, kSchema, 3, 0x4D4B5458);
  REQUIRE(db);
  CHECK_FALSE((*db)->fresh());
  (*db)->with([](Conn& c) {
    CHECK(c.db.execAndGet("SELECT id FROM parent").getInt() == 7);
    CHECK(c.db.execAndGet("PRAGMA application_id").getInt() == 0x4D4B5458);
  });
}

TEST_CASE("another application's file and a damaged file are refused, byte for byte intact",
          "[common][sqlite]") {
  const std::string path = temp_db("mock_sqlite_app_id_test.db");
  {
    auto db = Sqlite::open(path, kSchema, 3, 0x4D4B5458);
    REQUIRE(db);
    (*db)->rebuild([](Conn& c) {
      for (int i = 0; i < 2000; ++i)
        c.db.exec(fmt::format("INSERT INTO parent (id) VALUES ({})", i));
    });
  }
  const auto read = [](const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = read(path);
  auto other = Sqlite::open(path, kSchema, 3, 0x4D4B5459);
  REQUIRE_FALSE(other);
  CHECK(other.error() == path +
                             ": not a database of this service: its application_id is 0x4d4b5458 "
                             "(\"MKTX\"), this service's is 0x4d4b5459 (\"MKTY\") (the other "
                             "mock service's database, or another program's); refusing to open it "
                             "(it is left untouched: remove the file or point --db elsewhere)");
  CHECK(read(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  CHECK_FALSE(std::filesystem::exists(path + "-shm"));

  std::filesystem::resize_file(path, before.size() / 2);
  const std::string truncated = read(path);
  auto damaged = Sqlite::open(path, kSchema, 3, 0x4D4B5458);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error() == path +
                               ": cannot open database: database disk image is malformed (not a "
                               "SQLite database, or truncated or corrupted); refusing to open it "
                               "(it is left untouched: remove the file or point --db elsewhere)");
  CHECK(read(path) == truncated);
}
