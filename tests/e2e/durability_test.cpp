// Durability (issue 7): with --db FILE on both servers, kill -9 during a concurrent write load
// (Twilio messages created directly and through TrueVault's SMS API, TrueVault users), restart
// on the same files, and every acknowledged (2xx) write is there with its content; repeated at
// random moments. A damaged or foreign --db file (garbage, truncated, newer schema, the other
// service's) is refused naming the file and the problem, exit 1, and left byte for byte; a
// first start that fails leaves the file fresh, so the next start loads the fixture.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "tests/e2e/soak_support.hpp"
#include <signal.h>

namespace mock::testing::soak {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPatient = "4a635639-fcf5-4cca-9b79-25376fdb460f";
constexpr const char* kPatientTo = "+15550001111";  // its "phone" attribute, as Twilio stores it

// What the servers acknowledged (2xx), with the content each must still have after a crash.
struct Acked {
  struct Message {
    std::string to;
    std::string body;
  };
  struct User {
    std::string username;
    json attributes;
  };
  std::mutex mutex;
  std::map<std::string, Message> messages;  // Twilio SID -> content (direct and via TrueVault)
  std::set<std::string> sms;                // the SIDs TrueVault's SMS API answered with
  std::map<std::string, User> users;        // TrueVault user id -> content
  std::vector<std::string> errors;          // unexpected answers before the kill
};

enum class Writer { kTwilioCreate, kUserCreate, kSms };

// One connection writing until the servers die (or `stop`): every 2xx is recorded in `acked`;
// any other answer before `killed` is an error.
void write_until_killed(Writer kind, int port, const std::string& tag,
                        const std::atomic<bool>& killed, const std::atomic<bool>& stop,
                        Acked& acked) {
  auto client = keep_alive_client(port, 10);
  for (int i = 0; !stop.load(); ++i) {
    const std::string unique = fmt::format("{}-{}", tag, i);
    std::string to;
    std::string body;
    json attributes;
    auto res = [&]() -> httplib::Result {
      switch (kind) {
        case Writer::kTwilioCreate:
          to = fmt::format("+1555003{:04d}", i % 10000);
          body = "durable message " + unique;
          return client->Post((twilio_messages_path() + ".json").c_str(),
                              basic(kTwilioAccount, kTwilioAuthToken),
                              form({{"To", to}, {"From", kTwilioFrom}, {"Body", body}}),
                              "application/x-www-form-urlencoded");
        case Writer::kUserCreate:
          attributes = {{"phone", fmt::format("+1555004{:04d}", i % 10000)},
                        {"email", unique + "@example.com"},
                        {"n", i}};
          return client->Post("/v1/users", basic(kTvAdminKey, ""),
                              json{{"username", "durable-" + unique},
                                   {"password", "pw-" + unique},
                                   {"attributes", attributes}}
                                  .dump(),
                              "application/json");
        case Writer::kSms:
          break;
      }
      to = kPatientTo;
      body = "durable sms " + unique;
      return client->Post((std::string("/v1/users/") + kPatient + "/message/sms").c_str(),
                          basic(kTvNotifierKey, ""), guide_sms_request(body), "application/json");
    }();
    if (!res) {
      if (!killed.load()) {
        std::lock_guard lock(acked.mutex);
        acked.errors.push_back(fmt::format("{}: no answer ({}) before the kill", unique,
                                           httplib::to_string(res.error())));
      }
      return;
    }
    if (res->status < 200 || res->status > 299) {
      if (!killed.load()) {
        std::lock_guard lock(acked.mutex);
        acked.errors.push_back(fmt::format("{}: HTTP {} {}", unique, res->status, res->body));
      }
      return;
    }
    const auto answer = json::parse(res->body, nullptr, false);
    std::lock_guard lock(acked.mutex);
    if (answer.is_discarded()) {
      acked.errors.push_back(
          fmt::format("{}: HTTP {} without JSON: {}", unique, res->status, res->body));
      return;
    }
    switch (kind) {
      case Writer::kTwilioCreate:
        acked.messages[answer.at("sid").get<std::string>()] = {to, body};
        break;
      case Writer::kUserCreate:
        acked.users[answer.at("user").at("id").get<std::string>()] = {"durable-" + unique,
                                                                      attributes};
        break;
      case Writer::kSms: {
        const std::string sid = answer.at("provider_message_id").get<std::string>();
        acked.messages[sid] = {to, body};
        acked.sms.insert(sid);
        break;
      }
    }
  }
}

// Every acknowledged message and user is on the restarted servers with its content. Returns
// the number of rows checked.
std::size_t check_all_present(const Pair& pair, Acked& acked) {
  std::lock_guard lock(acked.mutex);
  std::size_t checked = 0;

  const auto twilio = get_json(pair.twilio.port, "/_mock/messages");
  std::map<std::string, json> by_sid;
  for (const auto& m : twilio.at("messages")) {
    const std::string sid = m.at("sid");
    CHECK(by_sid.count(sid) == 0);  // never twice
    by_sid[sid] = m;
  }
  for (const auto& [sid, expected] : acked.messages) {
    INFO("acknowledged message " << sid);
    auto it = by_sid.find(sid);
    REQUIRE(it != by_sid.end());
    CHECK(it->second.at("to") == expected.to);
    CHECK(it->second.at("from") == kTwilioFrom);
    CHECK(it->second.at("body") == expected.body);
    ++checked;
  }

  std::map<std::string, int> in_outbox;
  const auto outbox = get_json(pair.truevault.port, "/_mock/messages?result=success");
  for (const auto& e : outbox.at("messages")) {
    ++in_outbox[e.at("provider_message_id").get<std::string>()];
  }
  INFO("mock_truevault's outbox holds " << in_outbox.size() << " sent SMS; " << acked.sms.size()
                                        << " were acknowledged");
  for (const auto& sid : acked.sms) {
    INFO("acknowledged SMS " << sid << " in mock_truevault's outbox");
    CHECK(in_outbox[sid] == 1);
    ++checked;
  }

  std::vector<std::string> ids;
  for (const auto& [id, user] : acked.users) ids.push_back(id);
  for (std::size_t at = 0; at < ids.size(); at += 40) {
    std::string list;
    for (std::size_t i = at; i < std::min(ids.size(), at + 40); ++i) {
      list += (list.empty() ? "" : ",") + ids[i];
    }
    const auto users =
        get_json(pair.truevault.port, "/v2/users/" + list + "?full=true", basic(kTvAdminKey, ""))
            .at("users");
    REQUIRE(users.size() == std::min(ids.size(), at + 40) - at);
    for (const auto& u : users) {
      const std::string id = u.at("id");
      INFO("acknowledged user " << id);
      REQUIRE(acked.users.count(id) == 1);
      CHECK(u.at("username") == acked.users[id].username);
      CHECK(u.at("attributes") == acked.users[id].attributes);
      CHECK(u.at("status") == "ACTIVATED");
      ++checked;
    }
  }
  return checked;
}

TEST_CASE("durability: kill -9 during concurrent writes loses no acknowledged message or user",
          "[e2e][durability]") {
  TempDir dir("mock-durability");
  const auto seed = static_cast<std::uint32_t>(std::stoul(env_or(
      "MOCK_DURABILITY_SEED",
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000))));
  const int rounds = std::stoi(env_or("MOCK_DURABILITY_ROUNDS", "3"));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(300, 1500);
  std::bernoulli_distribution twilio_first(0.5);
  INFO("MOCK_DURABILITY_SEED=" << seed);

  Acked acked;
  std::size_t checked = 0;
  for (int round = 0;; ++round) {
    auto pair = start_pair(dir.path(), dir.path());
    checked = check_all_present(pair, acked);
    if (round == rounds) {
      CHECK(exit_code(pair.truevault.process->stop(SIGTERM, 10000)) == 0);
      CHECK(exit_code(pair.twilio.process->stop(SIGTERM, 10000)) == 0);
      break;
    }
    std::size_t before_messages = 0;
    std::size_t before_users = 0;
    {
      std::lock_guard lock(acked.mutex);
      before_messages = acked.messages.size();
      before_users = acked.users.size();
    }

    std::atomic<bool> killed{false};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; ++w) {
      const std::string tag = fmt::format("r{}w{}", round, w);
      writers.emplace_back(write_until_killed, Writer::kTwilioCreate, pair.twilio.port, tag + "t",
                           std::cref(killed), std::cref(stop), std::ref(acked));
      writers.emplace_back(write_until_killed, Writer::kUserCreate, pair.truevault.port, tag + "u",
                           std::cref(killed), std::cref(stop), std::ref(acked));
      writers.emplace_back(write_until_killed, Writer::kSms, pair.truevault.port, tag + "s",
                           std::cref(killed), std::cref(stop), std::ref(acked));
    }
    // The load is under way (slow sanitizer builds included) before the random delay starts.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(acked.mutex);
        if (acked.messages.size() > before_messages && acked.users.size() > before_users) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const int after_ms = kill_after_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
    killed = true;
    Server& first = twilio_first(rng) ? pair.twilio : pair.truevault;
    Server& second = &first == &pair.twilio ? pair.truevault : pair.twilio;
    CHECK(first.process->stop(SIGKILL, 10000) != -1);
    CHECK(second.process->stop(SIGKILL, 10000) != -1);
    stop = true;
    for (auto& t : writers) t.join();

    std::lock_guard lock(acked.mutex);
    INFO(fmt::format("{}", fmt::join(acked.errors, "\n")));
    CHECK(acked.errors.empty());
    // The kill landed during the load: writes were acknowledged in this round.
    CHECK(acked.messages.size() > before_messages);
    CHECK(acked.users.size() > before_users);
    std::printf(
        "durability round %d: kill -9 after %d ms (%s first); acknowledged so far: %zu messages "
        "(%zu through TrueVault's SMS API), %zu users\n",
        round + 1, after_ms, &first == &pair.twilio ? "mock_twilio" : "mock_truevault",
        acked.messages.size(), acked.sms.size(), acked.users.size());
  }
  std::printf(
      "durability: %d kill -9 rounds survived (seed %u); %zu acknowledged rows checked after the "
      "last restart\n",
      rounds, seed, checked);
  std::fflush(stdout);
}

// ---- damaged and foreign --db files -------------------------------------------------------

struct TwilioDb {
  static constexpr const char* kBinary = "mock_twilio";
  static constexpr const char* kOther = "mock_truevault";
  static constexpr const char* kOwnId = "0x4d4b5457 (\"MKTW\")";
  static constexpr const char* kOtherId = "0x4d4b5456 (\"MKTV\")";
  // Adds a row beside the fixture's, so the file spans more pages.
  static void write_something(int port) {
    for (int i = 0; i < 50; ++i) {
      auto res = client_for(port)->Post(
          (twilio_messages_path() + ".json").c_str(), basic(kTwilioAccount, kTwilioAuthToken),
          form({{"To", "+15550030000"}, {"From", kTwilioFrom}, {"Body", std::string(200, 'x')}}),
          "application/x-www-form-urlencoded");
      REQUIRE(res);
      REQUIRE(res->status == 201);
    }
  }
  // Creates a record; returns its id, or "" with the answer in `failure`.
  static std::string create(int port, std::string& failure) {
    auto res = client_for(port)->Post(
        (twilio_messages_path() + ".json").c_str(), basic(kTwilioAccount, kTwilioAuthToken),
        form({{"To", "+15550030001"}, {"From", kTwilioFrom}, {"Body", "seeded"}}),
        "application/x-www-form-urlencoded");
    if (!res || res->status != 201) {
      failure = res ? res->body : "no answer";
      return "";
    }
    return json::parse(res->body).at("sid");
  }
  static bool present(int port, const std::string& sid) {
    auto res = client_for(port)->Get((twilio_messages_path() + "/" + sid + ".json").c_str(),
                                     basic(kTwilioAccount, kTwilioAuthToken));
    return res && res->status == 200;
  }
  static json with_mistake(json doc) {
    doc["twilio"]["accounts"][0]["colour"] = "blue";
    return doc;
  }
  static bool fixture_loaded(int port) {
    auto res = client_for(port)->Get((twilio_messages_path() + ".json").c_str(),
                                     basic(kTwilioAccount, kTwilioAuthToken));
    return res && res->status == 200;
  }
};

struct TrueVaultDb {
  static constexpr const char* kBinary = "mock_truevault";
  static constexpr const char* kOther = "mock_twilio";
  static constexpr const char* kOwnId = "0x4d4b5456 (\"MKTV\")";
  static constexpr const char* kOtherId = "0x4d4b5457 (\"MKTW\")";
  static void write_something(int port) {
    for (int i = 0; i < 50; ++i) {
      auto res = client_for(port)->Post("/v1/users", basic(kTvAdminKey, ""),
                                        json{{"username", "pad-" + std::to_string(i)},
                                             {"attributes", {{"pad", std::string(200, 'x')}}}}
                                            .dump(),
                                        "application/json");
      REQUIRE(res);
      REQUIRE(res->status == 200);
    }
  }
  static std::string create(int port, std::string& failure) {
    // A username no earlier call used (usernames are unique per account).
    const auto n = std::chrono::steady_clock::now().time_since_epoch().count();
    auto res = client_for(port)->Post(
        "/v1/users", basic(kTvAdminKey, ""),
        json{{"username", "seeded-" + std::to_string(n)}, {"password", "pw"}}.dump(),
        "application/json");
    if (!res || res->status != 200) {
      failure = res ? res->body : "no answer";
      return "";
    }
    return json::parse(res->body).at("user").at("id");
  }
  static bool present(int port, const std::string& id) {
    auto res = client_for(port)->Get(("/v1/users/" + id).c_str(), basic(kTvAdminKey, ""));
    return res && res->status == 200;
  }
  static json with_mistake(json doc) {
    doc["truevault"]["users"][0]["colour"] = "blue";
    return doc;
  }
  static bool fixture_loaded(int port) {
    auto res = client_for(port)->Get((std::string("/v1/users/") + kPatient).c_str(),
                                     basic(kTvAdminKey, ""));
    return res && res->status == 200;
  }
};

// A --db file `binary` wrote (the fixture plus some rows), stopped cleanly.
void make_db(const std::string& binary, const TempDir& dir, const std::string& db,
             void (*write)(int)) {
  auto server = start_server(binary, dir.path(), binary + "-maker",
                             {"--db", db, "--fixtures", fixture_path()});
  if (write != nullptr) write(server.port);
  REQUIRE(exit_code(server.process->stop(SIGTERM, 10000)) == 0);
  REQUIRE_FALSE(fs::exists(db + "-wal"));  // a clean stop checkpoints the WAL
}

// Starts `binary` on `db`, expects exit 1 with `problem` (after "<binary>: error: <db>: "),
// and the file as it was, with no -wal/-shm left beside it.
void expect_refused(const std::string& binary, const std::string& db, const std::string& problem) {
  const std::string before = read_file(db);
  Process p({exe(binary), "--port", "0", "--db", db, "--fixtures", fixture_path()});
  const int status = p.wait_exit(20000);
  const std::string err = p.stderr_text();
  INFO(err);
  CHECK(exit_code(status) == 1);
  CHECK(err.find(binary + ": error: " + db + ": " + problem) != std::string::npos);
  CHECK(err.find("refusing to open it (it is left untouched: remove the file or point --db "
                 "elsewhere)") != std::string::npos);
  CHECK(read_file(db) == before);
  CHECK_FALSE(fs::exists(db + "-wal"));
  CHECK_FALSE(fs::exists(db + "-shm"));
}

TEMPLATE_TEST_CASE("durability: a damaged or foreign --db file is refused and left byte for byte",
                   "[e2e][durability]", TwilioDb, TrueVaultDb) {
  TempDir dir("mock-durability-refuse");
  const std::string db = dir.file("state.db");

  SECTION("garbage bytes") {
    std::string garbage;
    std::mt19937 rng(7);
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>(rng() & 0xFF));
    write_file(db, garbage);
    expect_refused(TestType::kBinary, db,
                   "cannot open database: file is not a database (not a SQLite database, or "
                   "truncated or corrupted)");
  }
  SECTION("a truncated database") {
    make_db(TestType::kBinary, dir, db, TestType::write_something);
    const auto size = fs::file_size(db);
    REQUIRE(size > 8 * 4096);
    fs::resize_file(db, size / 2);
    expect_refused(TestType::kBinary, db,
                   "cannot open database: database disk image is malformed (not a SQLite "
                   "database, or truncated or corrupted)");
  }
  SECTION("a newer schema version") {
    make_db(TestType::kBinary, dir, db, nullptr);
    int version = 0;
    {
      SQLite::Database d(db, SQLite::OPEN_READWRITE);
      version = d.execAndGet("PRAGMA user_version").getInt();
      REQUIRE(version > 0);
      d.exec(fmt::format("PRAGMA user_version = {}", version + 1));
    }
    expect_refused(TestType::kBinary, db,
                   fmt::format("database schema version {} is not this build's version {} (the "
                               "file was written by a newer build)",
                               version + 1, version));
  }
  SECTION("the other service's database") {
    make_db(TestType::kOther, dir, db, nullptr);
    expect_refused(TestType::kBinary, db,
                   fmt::format("not a database of this service: its application_id is {}, this "
                               "service's is {} (the other mock service's database, or another "
                               "program's)",
                               TestType::kOtherId, TestType::kOwnId));
  }
}

TEMPLATE_TEST_CASE(
    "durability: a first start that fails leaves the --db file fresh; the next start loads the "
    "fixture",
    "[e2e][durability]", TwilioDb, TrueVaultDb) {
  TempDir dir("mock-durability-fresh");
  const std::string db = dir.file("state.db");
  // A fixture mistake: the server stops at start, after it opened (and created) the file.
  const std::string broken = write_file(
      dir.file("broken.json"),
      TestType::with_mistake(json::parse(read_file(fixture_path()), nullptr, true, true)).dump());
  {
    Process p({exe(TestType::kBinary), "--port", "0", "--db", db, "--fixtures", broken});
    const int status = p.wait_exit(20000);
    INFO(p.stderr_text());
    CHECK(exit_code(status) == 1);
    CHECK(p.stderr_text().find(broken) != std::string::npos);
  }
  auto server = start_server(TestType::kBinary, dir.path(), "fixed",
                             {"--db", db, "--fixtures", fixture_path()});
  CHECK(TestType::fixture_loaded(server.port));
  CHECK(exit_code(server.process->stop(SIGTERM, 10000)) == 0);
  // From now on the file is kept as it is.
  auto again = start_server(TestType::kBinary, dir.path(), "again",
                            {"--db", db, "--fixtures", fixture_path()});
  CHECK(TestType::fixture_loaded(again.port));
}

TEMPLATE_TEST_CASE(
    "durability: --seed with a kept --db file: a restart creates new records, no id collision",
    "[e2e][durability]", TwilioDb, TrueVaultDb) {
  TempDir dir("mock-durability-seed");
  const std::vector<std::string> args = {"--db", dir.file("state.db"), "--seed",
                                         "5",    "--fixtures",         fixture_path()};
  std::string failure;
  std::string first;
  {
    auto server = start_server(TestType::kBinary, dir.path(), "first", args);
    first = TestType::create(server.port, failure);
    REQUIRE(!first.empty());
    REQUIRE(exit_code(server.process->stop(SIGTERM, 10000)) == 0);
  }
  auto server = start_server(TestType::kBinary, dir.path(), "second", args);
  const std::string second = TestType::create(server.port, failure);
  INFO(failure);
  CHECK(!second.empty());  // was a 500: UNIQUE constraint failed (the seed's first id again)
  CHECK(second != first);
  CHECK(TestType::present(server.port, first));
  CHECK(TestType::present(server.port, second));
  // A reset rebuilds the store from the fixture and goes back to --seed's sequence.
  auto reset = client_for(server.port)->Post("/_mock/reset", "", "application/json");
  REQUIRE(reset);
  CHECK(reset->status == 200);
  CHECK(TestType::create(server.port, failure) == first);
}

}  // namespace
}  // namespace mock::testing::soak
