// The outbox's queue in a ":memory:" store (store.hpp, insert_outbox): written 64 at a time,
// and before every read, copy, clear or rebuild; a --db store writes each entry at once.
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "mock_truevault/domain/test_world.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {
namespace {

OutboxEntry entry(int n) {
  OutboxEntry e;
  e.created_at = common::TimePoint(std::chrono::milliseconds(1'700'000'000'000 + n));
  e.user_id = testing::kPatientId;
  e.provider = "TWILIO";
  e.account_sid = "AC00000000000000000000000000000001";
  e.from = "+15005550006";
  e.to = "5550001111";
  e.body = "message " + std::to_string(n);
  e.result = "success";
  e.provider_message_id = "SM" + std::string(31, '0') + std::to_string(n % 10);
  return e;
}

std::unique_ptr<Store> memory_store() {
  auto store = Store::open(":memory:");
  REQUIRE(store);
  (*store)->replace_all(testing::test_fixture());
  return std::move(*store);
}

// The bodies of the outbox as a list shows it, in seq order (which the check also asserts).
std::vector<std::string> bodies(Store& store) {
  std::vector<std::string> out;
  std::int64_t last = 0;
  for (const auto& e : store.list_outbox()) {
    CHECK(e.seq > last);
    last = e.seq;
    out.push_back(e.body);
  }
  return out;
}

struct TempFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("mock-outbox-" + std::to_string(::getpid()) + ".db");
  TempFile() { std::filesystem::remove(path); }
  ~TempFile() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path.string() + suffix);
    }
  }
};

}  // namespace

TEST_CASE("a memory store queues outbox entries and writes them 64 at a time", "[outbox]") {
  auto store = memory_store();
  for (int i = 1; i < static_cast<int>(Store::kOutboxBatch); ++i) store->insert_outbox(entry(i));
  CHECK(store->queued_outbox() == Store::kOutboxBatch - 1);
  store->insert_outbox(entry(64));  // the 64th writes the batch
  CHECK(store->queued_outbox() == 0);
  const auto all = bodies(*store);
  REQUIRE(all.size() == 64);
  CHECK(all.front() == "message 1");
  CHECK(all.back() == "message 64");
}

TEST_CASE("every read of the outbox sees each entry whose insert returned", "[outbox]") {
  auto store = memory_store();
  store->insert_outbox(entry(1));
  store->insert_outbox(entry(2));
  REQUIRE(store->queued_outbox() == 2);

  SECTION("list") {
    CHECK(bodies(*store) == std::vector<std::string>{"message 1", "message 2"});
    CHECK(store->queued_outbox() == 0);
  }
  SECTION("the state dump") {
    const auto rows = store->dump()["sms_outbox"];
    REQUIRE(rows.size() == 2);
    CHECK(rows[1]["body"] == "message 2");
  }
  SECTION("a snapshot copy") {
    const TempFile file;
    store->export_to(file.path.string());
    SQLite::Database copy(file.path.string(), SQLite::OPEN_READONLY);
    CHECK(copy.execAndGet("SELECT count(*) FROM sms_outbox").getInt() == 2);
  }
  SECTION("a clear deletes the queued entries too; seq goes on after them") {
    store->clear_outbox();
    CHECK(store->queued_outbox() == 0);
    CHECK(store->list_outbox().empty());
    store->insert_outbox(entry(3));
    const auto after = store->list_outbox();
    REQUIRE(after.size() == 1);
    CHECK(after[0].seq == 3);  // as when each entry was written at once
  }
  SECTION("a reset drops them") {
    store->replace_all(testing::test_fixture());
    CHECK(store->queued_outbox() == 0);
    CHECK(store->list_outbox().empty());
  }
  SECTION("a reset that fails keeps them") {
    auto broken = testing::test_fixture();
    broken.accounts.push_back(broken.accounts.front());  // a duplicate id: the load throws
    CHECK_THROWS(store->replace_all(broken));
    CHECK(bodies(*store) == std::vector<std::string>{"message 1", "message 2"});
  }
}

TEST_CASE("a --db store writes each outbox entry at once", "[outbox]") {
  const TempFile file;
  auto opened = Store::open(file.path.string());
  REQUIRE(opened);
  auto& store = **opened;
  store.replace_all(testing::test_fixture());
  store.insert_outbox(entry(1));
  CHECK(store.queued_outbox() == 0);
  SQLite::Database other(file.path.string(), SQLite::OPEN_READONLY);  // another connection
  CHECK(other.execAndGet("SELECT count(*) FROM sms_outbox").getInt() == 1);
}

TEST_CASE("concurrent inserts and reads: nothing lost, nothing reordered", "[outbox]") {
  auto store = memory_store();
  constexpr int kThreads = 4;
  constexpr int kEach = 300;
  std::atomic<int> returned{0};
  std::atomic<bool> done{false};
  std::atomic<int> short_reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      const int before = returned.load();
      const auto seen = store->list_outbox();
      if (static_cast<int>(seen.size()) < before) short_reads.fetch_add(1);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        store->insert_outbox(entry(t * kEach + i));
        returned.fetch_add(1);
      }
    });
  }
  for (auto& w : writers) w.join();
  done.store(true);
  reader.join();
  CHECK(short_reads.load() == 0);
  const auto all = store->list_outbox();
  REQUIRE(all.size() == kThreads * kEach);
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(all[i].seq == static_cast<std::int64_t>(i + 1));
}

}  // namespace mock::truevault
