#include "mock_twilio/store/store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

namespace mock::twilio {
namespace {

common::FixtureFile file_of(const std::string& text) {
  return common::FixtureFile{"fixtures/t.json", nlohmann::json::parse(text)};
}

const char* kGood = R"({
  "twilio": {
    "accounts": [{ "sid": "AC00000000000000000000000000000001", "auth_token": "t1", "test": false }],
    "api_keys": [{ "sid": "SK00000000000000000000000000000001", "secret": "s",
                   "account_sid": "AC00000000000000000000000000000001" }],
    "phone_numbers": [{ "sid": "PN00000000000000000000000000000001",
                        "account_sid": "AC00000000000000000000000000000001",
                        "phone_number": "+15557778888" }],
    "messages": [{ "sid": "SM000000000000000000000000000000a1",
                   "account_sid": "AC00000000000000000000000000000001",
                   "from": "+15557778888", "to": "+15550001111", "body": "queued one",
                   "status": "queued", "date_created": "2026-01-01T00:00:00Z" }]
  }
})";

}  // namespace

TEST_CASE("fixture: a valid section loads and round-trips", "[twilio][store]") {
  auto fixture = parse_fixture(file_of(kGood));
  REQUIRE(fixture);
  auto db = common::Sqlite::open(":memory:", kSchemaSql, kSchemaVersion);
  REQUIRE(db);
  Store store(**db);
  store.load_fixture(*fixture);
  CHECK(store.find_account("AC00000000000000000000000000000001")->auth_token == "t1");
  CHECK(store.find_api_key("SK00000000000000000000000000000001")->secret == "s");
  CHECK(store.find_phone_number("AC00000000000000000000000000000001", "+15557778888"));
  auto m = store.find_message("AC00000000000000000000000000000001",
                              "SM000000000000000000000000000000a1");
  REQUIRE(m);
  CHECK(m->status == MessageStatus::kQueued);
  CHECK(m->num_segments == 1);
  CHECK(m->date_updated == m->date_created);
  CHECK_FALSE(m->date_sent);
  const auto state = store.dump_state();
  CHECK(state["accounts"][0]["auth_token"] == "****");  // secrets masked
  CHECK(state["messages"].size() == 1);
  // Reset = rebuild: loading again replaces, never duplicates.
  store.load_fixture(*fixture);
  CHECK(store.dump_state()["messages"].size() == 1);
  CHECK(store.clear_messages() == 1);
}

TEST_CASE("fixture: mistakes name file / pointer and problem", "[twilio][store]") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {R"({"twilio": {"accounts": [{"sid": "AC0000000000000000000000000000000G", "auth_token": "t"}]}})",
       "fixtures/t.json: /twilio/accounts/0/sid: 'AC0000000000000000000000000000000G' is not an "
       "account SID (must match ^AC[0-9a-f]{32}$)"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t", "colour": 1}]}})",
       "fixtures/t.json: /twilio/accounts/0/colour: unknown key"},
      {R"({"twilio": {"accounts": [], "numbers": []}})",
       "fixtures/t.json: /twilio/numbers: unknown key"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001"}]}})",
       "fixtures/t.json: /twilio/accounts/0/auth_token: required"},
      {R"({"twilio": {"api_keys": [{"sid": "SK00000000000000000000000000000001", "secret": "s", "account_sid": "AC00000000000000000000000000000009"}]}})",
       "fixtures/t.json: /twilio/api_keys/0/account_sid: 'AC00000000000000000000000000000009' is "
       "not an account of this fixture"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "phone_numbers": [{"sid": "PN00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "phone_number": "5557778888"}]}})",
       "fixtures/t.json: /twilio/phone_numbers/0/phone_number: '5557778888' is not an E.164 "
       "number (must match \\+[1-9][0-9]{1,14})"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "messages": [{"sid": "SM00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "to": "+15550001111", "status": "lost", "date_created": "2026-01-01T00:00:00Z"}]}})",
       "fixtures/t.json: /twilio/messages/0/status: 'lost' is not a message status"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "messages": [{"sid": "SM00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "to": "+15550001111", "date_created": "yesterday"}]}})",
       "fixtures/t.json: /twilio/messages/0/date_created: 'yesterday' is not an ISO-8601 UTC "
       "time (YYYY-MM-DDTHH:MM:SSZ)"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}, {"sid": "AC00000000000000000000000000000001", "auth_token": "u"}]}})",
       "fixtures/t.json: /twilio/accounts/1/sid: duplicate SID"},
      {R"({"description": "no twilio"})",
       "fixtures/t.json: /twilio: required (the mock_twilio section)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = parse_fixture(file_of(c.text));
    REQUIRE_FALSE(r);
    CHECK(r.error() == c.error);
  }
}

TEST_CASE("fixture: the repository's default.json is valid", "[twilio][store]") {
  const char* dir = std::getenv("MOCK_SOURCE_DIR");
  const std::string path = std::string(dir != nullptr ? dir : ".") + "/fixtures/default.json";
  auto file = common::read_fixture_file(path);
  REQUIRE(file);
  auto fixture = parse_fixture(*file);
  REQUIRE(fixture);
  CHECK(fixture->accounts.at(0).sid == "AC00000000000000000000000000000001");
  CHECK(fixture->accounts.at(0).auth_token == "a0000000000000000000000000000001");
  CHECK(fixture->api_keys.at(0).secret == "mock-api-key-secret");
  CHECK(fixture->phone_numbers.at(0).phone_number == "+15557778888");
}

}  // namespace mock::twilio

namespace mock::twilio {

TEST_CASE("store: services, due messages, callbacks, opt-outs", "[twilio][store]") {
  const std::string ac = "AC00000000000000000000000000000001";
  auto text = std::string(kGood);
  text.replace(text.find(R"("messages")"), 0,
               R"("messaging_services": [{ "sid": "MG00000000000000000000000000000001",
                   "account_sid": "AC00000000000000000000000000000001",
                   "senders": ["+15557778888"], "status_callback": "http://cb/s" }], )");
  auto fixture = parse_fixture(file_of(text));
  REQUIRE(fixture);
  auto db = common::Sqlite::open(":memory:", kSchemaSql, kSchemaVersion);
  REQUIRE(db);
  Store store(**db);
  store.load_fixture(*fixture);
  const auto svc = store.find_messaging_service(ac, "MG00000000000000000000000000000001");
  REQUIRE(svc);
  CHECK(svc->senders == std::vector<std::string>{"+15557778888"});
  CHECK(svc->status_callback == "http://cb/s");
  CHECK_FALSE(svc->inbound_request_url);
  CHECK(store.find_service_by_sender("+15557778888")->sid == svc->sid);
  CHECK_FALSE(store.find_service_by_sender("+15550000000"));
  CHECK(store.find_number_owner("+15557778888")->account_sid == ac);

  // Fixture messages do not move by themselves; next_at round-trips.
  CHECK_FALSE(store.next_message_due());
  auto m = *store.find_message_by_sid("SM000000000000000000000000000000a1");
  const TimePoint t(std::chrono::milliseconds(1767225600000));
  m.next_at = t + std::chrono::seconds(5);
  store.update_message(m);
  CHECK(store.next_message_due() == m.next_at);
  CHECK(store.due_messages(t, 10).empty());
  CHECK(store.due_messages(t + std::chrono::seconds(5), 10).size() == 1);

  CallbackAttempt a;
  a.account_sid = ac;
  a.message_sid = m.sid;
  a.url = "http://cb/s";
  a.params = {{"MessageStatus", "sent"}, {"Body", "a \xF0\x9F\x91\x8D"}};
  a.signature = "sig";
  a.idempotency_token = "tok";
  a.due_at = t;
  const auto first = store.insert_callback(a);
  a.params[0].second = "delivered";
  const auto second = store.insert_callback(a);
  CHECK(second == first + 1);
  CHECK(store.next_callback_due() == t);
  auto due = store.due_callbacks(t, false);
  REQUIRE(due.size() == 2);
  CHECK(due[0].id == first);
  CHECK(due[0].params == Params{{"MessageStatus", "sent"}, {"Body", "a \xF0\x9F\x91\x8D"}});
  CHECK(store.due_callbacks(t, true)[0].id == second);  // reorder: newest first
  due[0].state = CallbackState::kFailed;
  due[0].response_code = 500;
  due[0].latency_ms = 7;
  due[0].error = "HTTP 500";
  due[0].attempted_at = t;
  store.update_callback(due[0]);
  const auto log = store.list_callbacks(m.sid);
  REQUIRE(log.size() == 2);
  CHECK(log[0].state == CallbackState::kFailed);
  CHECK(log[0].response_code == 500);
  CHECK(log[0].latency_ms == 7);
  CHECK(log[0].error == "HTTP 500");
  CHECK(log[0].attempted_at == t);
  CHECK(store.due_callbacks(t, false).size() == 1);
  CHECK(store.list_callbacks(std::string("SMother")).empty());

  CHECK_FALSE(store.is_opted_out(ac, "+15550001111"));
  store.set_opted_out(ac, "+15550001111", true);
  store.set_opted_out(ac, "+15550001111", true);  // idempotent
  CHECK(store.is_opted_out(ac, "+15550001111"));
  CHECK_FALSE(store.is_opted_out("AC00000000000000000000000000000002", "+15550001111"));
  CHECK(store.dump_state()["opt_outs"].size() == 1);
  store.set_opted_out(ac, "+15550001111", false);
  CHECK_FALSE(store.is_opted_out(ac, "+15550001111"));

  // Reset drops callbacks and opt-outs with everything else.
  store.set_opted_out(ac, "+15550001111", true);
  store.load_fixture(*fixture);
  CHECK(store.list_callbacks(std::nullopt).empty());
  CHECK_FALSE(store.is_opted_out(ac, "+15550001111"));
}

TEST_CASE("fixture: a Messaging Service sender must be a number of its account",
          "[twilio][store]") {
  auto text = std::string(kGood);
  text.replace(text.find(R"("messages")"), 0,
               R"("messaging_services": [{ "sid": "MG00000000000000000000000000000001",
                   "account_sid": "AC00000000000000000000000000000001",
                   "senders": ["+15559990000"] }], )");
  auto fixture = parse_fixture(file_of(text));
  REQUIRE_FALSE(fixture);
  CHECK(fixture.error() ==
        "fixtures/t.json: /twilio/messaging_services/0/senders/0: '+15559990000' is not a phone "
        "number of account AC00000000000000000000000000000001");
}

}  // namespace mock::twilio

namespace mock::twilio {
namespace {

Message new_message(int n) {
  Message m;
  m.sid = fmt::format("SM{:032x}", 0x1000 + n);
  m.account_sid = "AC00000000000000000000000000000001";
  m.from = "+15557778888";
  m.to = fmt::format("+1555{:07d}", n);
  m.body = fmt::format("message {}", n);
  m.date_created = m.date_updated = TimePoint(std::chrono::milliseconds(1767225600000 + n));
  return m;
}

// Rows as SQLite holds them, without Store (which would first write its queue).
std::int64_t rows_in_table(common::Sqlite& db) {
  return db.with(
      [](common::Conn& c) { return c.db.execAndGet("SELECT COUNT(*) FROM messages").getInt64(); });
}

std::string temp_db_path(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    fmt::format("mock-twilio-store-test-{}-{}.db", name, ::getpid());
  std::filesystem::remove(path);
  return path.string();
}

// A :memory: store with kGood loaded (Store is neither copied nor moved: it runs a thread).
struct Loaded {
  explicit Loaded(std::function<void(const std::string&)> on_write_error = nullptr,
                  WriteQueueLimits limits = WriteQueueLimits())
      : fixture(*parse_fixture(file_of(kGood))),
        db(std::move(*common::Sqlite::open(":memory:", kSchemaSql, kSchemaVersion))),
        store(*db, std::move(on_write_error), limits) {
    store.load_fixture(fixture);
  }
  TwilioFixture fixture;
  std::unique_ptr<common::Sqlite> db;
  Store store;
};

}  // namespace

TEST_CASE("store: a :memory: store queues creates, and every read sees them", "[twilio][store]") {
  // Low thresholds, so that request threads write chunks (from 16 queued, whether or not the
  // writer thread got its priority) and wait for room in the queue (from 64) in this test's
  // few thousand creates.
  Loaded loaded(nullptr, WriteQueueLimits{16, 64, 16});
  auto& store = loaded.store;
  auto& db = loaded.db;
  const auto& fixture = loaded.fixture;

  SECTION("the writer thread writes the queue without any reader") {
    store.insert_message(new_message(1));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (rows_in_table(*db) < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(rows_in_table(*db) == 2);
  }

  SECTION("4 threads x 700 creates: each read right after its create, and the count, exact") {
    // 2,800 creates pass every path: the writer thread, chunks written by request threads
    // when the lock is free, and waiting for it.
    std::atomic<int> unseen = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 700; ++i) {
          const auto m = new_message(t * 1000 + i);
          store.insert_message(m);
          if (i % 50 == 0 && !store.find_message(m.account_sid, m.sid)) ++unseen;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(unseen == 0);
    CHECK(store.inspect_messages({}).size() == 2801);
    CHECK(rows_in_table(*db) == 2801);
  }

  SECTION("back-pressure: past wait_from a create waits for room, and returns once there is") {
    // Hold the connection so that nobody can write the queue: the 64th queued create waits.
    std::promise<void> release;
    std::promise<void> holding;
    std::thread holder([&] {
      db->with([&](common::Conn&) {
        holding.set_value();
        release.get_future().wait();
      });
    });
    holding.get_future().wait();
    for (int i = 0; i < 63; ++i) store.insert_message(new_message(i));
    auto blocked = std::async(std::launch::async, [&] { store.insert_message(new_message(63)); });
    CHECK(blocked.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
    release.set_value();
    holder.join();
    // The writer thread makes room; the waiting create returns, and every create is stored.
    CHECK(blocked.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(store.inspect_messages({}).size() == 65);
  }

  SECTION("GET /_mock/snapshot: flush() writes the queue before the file is copied") {
    for (int i = 0; i < 5; ++i) store.insert_message(new_message(i));
    store.flush();
    CHECK(rows_in_table(*db) == 6);
  }

  SECTION("a reset drops queued creates with the rest of the world") {
    for (int i = 0; i < 5; ++i) store.insert_message(new_message(i));
    store.load_fixture(fixture);
    CHECK(store.inspect_messages({}).size() == 1);
  }
}

namespace {

// Nice values of this process's threads (field 19 of /proc/self/task/TID/stat).
std::vector<int> thread_nice_values() {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto comm_end = stat.rfind(')');
    if (comm_end == std::string::npos) continue;  // a thread that ended meanwhile
    // After "(comm)", which may hold spaces: state is field 3, nice field 19.
    std::istringstream rest(stat.substr(comm_end + 1));
    std::string field;
    for (int i = 3; i <= 19 && rest >> field; ++i) {
      if (i == 19) out.push_back(std::stoi(field));
    }
  }
  return out;
}

// Whether a thread of this process may lower its nice value by 5 (what the writer asks).
bool may_raise_priority() {
  bool granted = false;
  std::thread probe([&] {
    const int current = getpriority(PRIO_PROCESS, 0);
    const int wanted = std::max(current - 5, -20);
    granted = wanted < current && setpriority(PRIO_PROCESS, 0, wanted) == 0;
  });
  probe.join();  // the probe thread and its nice value are gone
  return granted;
}

}  // namespace

TEST_CASE("store: the write-behind thread asks for 5 nice levels above the process",
          "[twilio][store]") {
  const int own = getpriority(PRIO_PROCESS, 0);  // this (the main) thread's
  const auto boosted_threads = [own] {
    const auto nice = thread_nice_values();
    return std::count_if(nice.begin(), nice.end(), [own](int n) { return n < own; });
  };
  REQUIRE(boosted_threads() == 0);

  SECTION("granted where the process may (root or RLIMIT_NICE), and then on that thread only") {
    Loaded loaded;
    const bool expected = may_raise_priority();
    CHECK(loaded.store.writer_boosted() == expected);
    CHECK(boosted_threads() == (expected ? 1 : 0));
    if (expected) {
      const auto nice = thread_nice_values();
      CHECK(*std::min_element(nice.begin(), nice.end()) == std::max(own - 5, -20));
    }
    // Its messages are written all the same.
    loaded.store.insert_message(new_message(1));
    CHECK(loaded.store.inspect_messages({}).size() == 2);
  }
  SECTION("writer_boost 0: the writer runs at the process's priority") {
    Loaded loaded(nullptr, WriteQueueLimits{256, 16384, 8192, 0});
    CHECK_FALSE(loaded.store.writer_boosted());
    CHECK(boosted_threads() == 0);
  }
  SECTION("a --db store has no writer thread to boost") {
    const auto path = temp_db_path("boost");
    {
      auto db = std::move(*common::Sqlite::open(path, kSchemaSql, kSchemaVersion));
      Store store(*db);
      CHECK_FALSE(store.writer_boosted());
      CHECK(boosted_threads() == 0);
    }
    std::filesystem::remove(path);
  }
}

TEST_CASE("store: a queued create that cannot be written is reported, the others are kept",
          "[twilio][store]") {
  std::mutex mutex;
  std::vector<std::string> reported;
  Loaded loaded([&](const std::string& what) {
    std::lock_guard lock(mutex);
    reported.push_back(what);
  });
  auto& store = loaded.store;
  auto duplicate = new_message(7);
  duplicate.sid = "SM000000000000000000000000000000a1";  // the fixture's message
  store.insert_message(new_message(6));
  store.insert_message(duplicate);
  store.insert_message(new_message(8));
  CHECK(store.inspect_messages({}).size() == 3);
  CHECK(store.find_message(duplicate.account_sid, duplicate.sid)->body == "queued one");
  std::lock_guard lock(mutex);
  for (const auto& r : reported) UNSCOPED_INFO(r);
  REQUIRE(reported.size() == 1);
  CHECK_THAT(reported[0], Catch::StartsWith("message SM000000000000000000000000000000a1 was not "
                                            "stored: UNIQUE constraint failed: messages.sid"));
}

TEST_CASE("store: a --db store commits each create before insert_message returns (group commit)",
          "[twilio][store]") {
  auto fixture = parse_fixture(file_of(kGood));
  REQUIRE(fixture);
  const auto path = temp_db_path("group");
  {
    auto db = common::Sqlite::open(path, kSchemaSql, kSchemaVersion);
    REQUIRE(db);
    Store store(**db);
    store.load_fixture(*fixture);
    std::atomic<int> uncommitted = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          const auto m = new_message(t * 100 + i);
          store.insert_message(m);
          // Committed: another connection to the file sees it at once.
          SQLite::Database reader(path, SQLite::OPEN_READONLY);
          SQLite::Statement q(reader, "SELECT COUNT(*) FROM messages WHERE sid = ?");
          q.bind(1, m.sid);
          if (!q.executeStep() || q.getColumn(0).getInt() != 1) ++uncommitted;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(uncommitted == 0);

    // A failing INSERT throws from its own call only; the next create is stored.
    auto duplicate = new_message(1);
    CHECK_THROWS_WITH(store.insert_message(duplicate),
                      "message " + duplicate.sid + " could not be stored");
    store.insert_message(new_message(999));
    CHECK(rows_in_table(**db) == 202);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

TEST_CASE("store: list queries read an index in order, and the message indexes ascend",
          "[twilio][store]") {
  auto db = common::Sqlite::open(":memory:", kSchemaSql, kSchemaVersion);
  REQUIRE(db);
  Message anchor;
  anchor.sid = "SM000000000000000000000000000000a1";
  anchor.account_sid = "AC00000000000000000000000000000001";
  // Every filter and paging combination but the DateSent ones (those sort what their index
  // finds): the plan reads one of the message indexes in the list's order, with no sort step,
  // so a page costs the same at 10^4 and 10^6 messages (bench/run's scale rows).
  for (const bool to : {false, true}) {
    for (const bool from : {false, true}) {
      for (const int paging : {0, 1, 2}) {
        MessageQuery q;
        q.account_sid = anchor.account_sid;
        if (to) q.to = "+15550001111";
        if (from) q.from = "+15557778888";
        if (paging == 1) q.after = anchor;
        if (paging == 2) q.before = anchor;
        const std::string sql = list_messages_sql(q);
        std::string plan;
        (*db)->with([&](common::Conn& c) {
          SQLite::Statement st(c.db, "EXPLAIN QUERY PLAN " + sql);
          while (st.executeStep()) plan += st.getColumn(3).getString() + "\n";
        });
        INFO(sql << "\n" << plan);
        CHECK(plan.find("SEARCH messages USING INDEX messages_by_") != std::string::npos);
        CHECK(plan.find("TEMP B-TREE") == std::string::npos);
      }
    }
  }
  // Ascending keys: a new message's are the largest, so inserts append at each index's right
  // edge. Declared DESC, a newer message sorted before every stored one and SQLite rebalanced
  // sibling pages 1.2 times per insert (schema.sql).
  for (const char* index : {"messages_by_created", "messages_by_to", "messages_by_from"}) {
    (*db)->with([&](common::Conn& c) {
      SQLite::Statement st(c.db, "SELECT name, \"desc\" FROM pragma_index_xinfo(?) WHERE key = 1");
      st.bind(1, index);
      int keys = 0;
      while (st.executeStep()) {
        ++keys;
        INFO(index << "." << st.getColumn(0).getString());
        CHECK(st.getColumn(1).getInt() == 0);
      }
      CHECK(keys >= 3);
    });
  }
}

TEST_CASE("store: a message read again is the table's row after every change (the fetch cache)",
          "[twilio][store]") {
  Loaded loaded;
  auto& store = loaded.store;
  const std::string ac = "AC00000000000000000000000000000001";
  const auto fetch = [&](const std::string& sid) { return store.find_message(ac, sid); };
  auto m = new_message(1);
  store.insert_message(m);
  REQUIRE(fetch(m.sid));
  REQUIRE(fetch(m.sid)->body == "message 1");  // the second read comes from the cache

  SECTION("update_message") {
    m.status = MessageStatus::kDelivered;
    m.body = "";
    store.update_message(m);
    CHECK(fetch(m.sid)->status == MessageStatus::kDelivered);
    CHECK(fetch(m.sid)->body.empty());
  }
  SECTION("update_messages, one and a chunk") {
    m.status = MessageStatus::kSent;
    store.update_messages({MessageChange{m, false}});
    CHECK(fetch(m.sid)->status == MessageStatus::kSent);
    std::vector<MessageChange> changes;
    for (int i = 2; i < 12; ++i) {
      auto other = new_message(i);
      store.insert_message(other);
      REQUIRE(fetch(other.sid));
      other.status = MessageStatus::kFailed;
      changes.push_back(MessageChange{other, false});
    }
    m.status = MessageStatus::kDelivered;
    m.from = "+15550009999";
    changes.push_back(MessageChange{m, true});
    store.update_messages(changes);
    for (const auto& change : changes) {
      CHECK(fetch(change.message.sid)->status == change.message.status);
    }
    CHECK(fetch(m.sid)->from == "+15550009999");
  }
  SECTION("delete_message, then a new row with the same SID") {
    CHECK(store.delete_message(ac, m.sid));
    CHECK_FALSE(fetch(m.sid));
    m.body = "second life";
    store.insert_message(m);
    CHECK(fetch(m.sid)->body == "second life");
  }
  SECTION("clear_messages") {
    CHECK(store.clear_messages() == 2);
    CHECK_FALSE(fetch(m.sid));
  }
  SECTION("load_fixture (reset)") {
    store.load_fixture(loaded.fixture);
    CHECK_FALSE(fetch(m.sid));
    CHECK(fetch("SM000000000000000000000000000000a1"));
  }
  SECTION("another account's read finds nothing, cached or not") {
    CHECK_FALSE(store.find_message("AC00000000000000000000000000000002", m.sid));
  }
}

TEST_CASE("store: the fetch cache holds a bounded number of messages", "[twilio][store]") {
  Loaded loaded;
  auto& store = loaded.store;
  const int n = static_cast<int>(MessageCache::kShards * MessageCache::kPerShard) * 2;
  for (int i = 0; i < n; ++i) store.insert_message(new_message(i));
  for (int i = 0; i < n; ++i) {
    const auto m = new_message(i);
    REQUIRE(store.find_message(m.account_sid, m.sid)->body == m.body);
  }
  // Past the bound, every message is still read right, from the table or the cache.
  for (int i = 0; i < n; i += 7) {
    const auto m = new_message(i);
    CHECK(store.find_message(m.account_sid, m.sid)->to == m.to);
  }
  MessageCache cache;
  for (int i = 0; i < n; ++i) cache.put(new_message(i));
  CHECK(cache.size() <= MessageCache::kShards * MessageCache::kPerShard);
  CHECK(cache.size() > 0);
}

TEST_CASE("store: readers racing a writer never read a row older than the last written",
          "[twilio][store]") {
  Loaded loaded;
  auto& store = loaded.store;
  auto m = new_message(1);
  m.body = "0";
  store.insert_message(m);
  std::atomic<int> written{0};  // the last version whose update_message returned
  std::atomic<bool> done{false};
  std::atomic<int> stale{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        const int at_least = written.load();
        const auto read = store.find_message(m.account_sid, m.sid);
        if (!read || std::stoi(read->body) < at_least) ++stale;
        ++reads;
      }
    });
  }
  for (int version = 1; version <= 2000; ++version) {
    m.body = std::to_string(version);
    if (version % 2 == 0) {
      store.update_message(m);
    } else {
      store.update_messages({MessageChange{m, false}});
    }
    written = version;
  }
  done = true;
  for (auto& r : readers) r.join();
  CHECK(stale == 0);
  CHECK(reads > 0);
  CHECK(store.find_message(m.account_sid, m.sid)->body == "2000");
}

}  // namespace mock::twilio
