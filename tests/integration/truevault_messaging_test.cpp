// The Messaging API end to end in-process (truevault-api.md §7; issue 3's guide flow):
// mock_truevault forwards to an in-process mock_twilio over real HTTP.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/logging.hpp"
#include "common/server_runner.hpp"
#include "mock_truevault/http/twilio_client.hpp"
#include "tests/integration/truevault_test_support.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

const std::string kSmsPath = std::string("/v1/users/") + kPatientId + "/message/sms";

// The guide's request body, credentials filled in (issue 3).
json guide_request(const std::string& secret = kTwilioSecret) {
  return {
      {"provider", "TWILIO"},
      {"auth", {{"account_sid", kTwilioAccount}, {"username", kTwilioKey}, {"password", secret}}},
      {"from_number", {{"literal_value", "+15557778888"}}},
      {"to_number", {{"user_attribute", "phone"}}},
      {"message_body", "Please check your HealthCo messages"}};
}

json twilio_get(const mock::testing::RunningService& twilio, const std::string& path) {
  auto client = twilio.client();
  client->set_basic_auth(kTwilioAccount, kTwilioAuthToken);
  auto res = client->Get(path);
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  return json::parse(res->body);
}

std::size_t twilio_message_count(const mock::testing::RunningService& twilio) {
  return twilio_get(twilio, "/_mock/messages")["messages"].size();
}

// A port nothing listens on: bound (never listened) by a socket that is then closed.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct Env {
  Env() : twilio(start_twilio()), tv(start_truevault(truevault_config(twilio->base_url()))) {}
  std::unique_ptr<mock::testing::RunningService> twilio;
  std::unique_ptr<mock::testing::RunningService> tv;
};

TEST_CASE("the guide's SMS request reaches mock_twilio", "[truevault][messaging]") {
  Env env;
  auto r = call_json(*env.tv, "POST", kSmsPath, kNotifierKey, guide_request());
  expect_success(r);
  const std::string sid = r.body["provider_message_id"];
  CHECK(sid.size() == 34);
  CHECK(sid.rfind("SM", 0) == 0);
  CHECK(r.body.size() == 3);  // provider_message_id, result, transaction_id: nothing else
  CHECK(r.body.dump().find("5550001111") == std::string::npos);

  auto m = twilio_get(*env.twilio, std::string("/2010-04-01/Accounts/") + kTwilioAccount +
                                       "/Messages/" + sid + ".json");
  CHECK(m["to"] == "+15550001111");
  CHECK(m["from"] == "+15557778888");
  CHECK(m["body"] == "Please check your HealthCo messages");

  // The outbox (test inspection API) shows what was forwarded.
  auto outbox = env.tv->client()->Get("/_mock/messages?user_id=" + std::string(kPatientId));
  REQUIRE(outbox);
  auto o = json::parse(outbox->body);
  REQUIRE(o["count"] == 1);
  CHECK(o["messages"][0]["provider_message_id"] == sid);
  CHECK(o["messages"][0]["to"] == "5550001111");
  CHECK(o["messages"][0]["result"] == "success");
  auto cleared = env.tv->client()->Delete("/_mock/messages");
  REQUIRE(cleared);
  CHECK(json::parse(cleared->body)["deleted"] == 1);
}

TEST_CASE("the SMS route is the first POST pattern httplib tries", "[truevault][messaging]") {
  // routes() lists the table in the order the server registers it, and httplib tries a
  // method's patterns in that order: the guide's hot path must not pay for the others' regex
  // matches first (service.cpp, bench/README.md "Session 10").
  const auto all = routes();
  const auto first_post =
      std::find_if(all.begin(), all.end(), [](const auto& r) { return r.method == "POST"; });
  REQUIRE(first_post != all.end());
  CHECK(first_post->handler == "send_sms");
  CHECK(first_post->path == "/v1/users/([^/]+)/message/sms");
}

TEST_CASE("media_urls and an admin caller", "[truevault][messaging]") {
  Env env;
  json body = guide_request();
  body["media_urls"] = json::array({{{"literal_value", "https://example.com/a.png"}}});
  auto r = call_json(*env.tv, "POST", kSmsPath, kAdminKey, body);
  expect_success(r);
  auto m =
      twilio_get(*env.twilio, std::string("/2010-04-01/Accounts/") + kTwilioAccount + "/Messages/" +
                                  r.body["provider_message_id"].get<std::string>() + ".json");
  CHECK(m["num_media"] == "1");
}

TEST_CASE("SMS refusals reach nothing at Twilio", "[truevault][messaging]") {
  Env env;
  expect_error(call_json(*env.tv, "POST", kSmsPath, kReadonlyKey, guide_request()), 403,
               "AUTH.FORBIDDEN", forbidden('C', std::string("User::") + kPatientId + "::Message"));
  expect_error(
      call_json(*env.tv, "POST", "/v1/users/00000000-0000-4000-a000-000000000999/message/sms",
                kNotifierKey, guide_request()),
      404, "USER.NOT_FOUND", "User 00000000-0000-4000-a000-000000000999 does not exist");
  expect_error(
      call_json(*env.tv, "POST", std::string("/v1/users/") + kOtherAdminId + "/message/sms",
                kNotifierKey, guide_request()),
      404, "USER.NOT_FOUND", std::string("User ") + kOtherAdminId + " does not exist");
  json body = guide_request();
  body["to_number"] = {{"user_attribute", "mobile"}};
  expect_error(call_json(*env.tv, "POST", kSmsPath, kNotifierKey, body), 400,
               "MESSAGE.ATTRIBUTE_MISSING", "The user has no attribute 'mobile'");
  body = guide_request();
  body["provider"] = "SENDGRID";
  expect_error(call_json(*env.tv, "POST", kSmsPath, kNotifierKey, body), 400,
               "MESSAGE.INVALID_PROVIDER", "Invalid provider: this endpoint supports only TWILIO");
  expect_error(call(*env.tv, "POST", kSmsPath, kNotifierKey, "not json", "application/json"), 400,
               "REQUEST.INVALID_JSON", "Request body must be a JSON object");
  expect_error(call_json(*env.tv, "POST", kSmsPath, "", guide_request()), 401, "AUTH.UNAUTHORIZED",
               "Authentication required: send an API key or access token as the HTTP Basic "
               "username with an empty password");
  CHECK(twilio_message_count(*env.twilio) == 0);
}

TEST_CASE("Twilio's own errors are surfaced, attribute values redacted", "[truevault][messaging]") {
  Env env;
  expect_error(call_json(*env.tv, "POST", kSmsPath, kNotifierKey, guide_request("wrong-secret")),
               400, "MESSAGE.PROVIDER_ERROR", "Twilio error 20003: Authenticate");
  // A user whose phone attribute Twilio rejects: its message echoes the number.
  auto created = call_json(*env.tv, "POST", "/v1/users", kAdminKey,
                           {{"username", "bad-phone"}, {"attributes", {{"phone", "12"}}}});
  const std::string id = created.body["user"]["id"];
  auto r =
      call_json(*env.tv, "POST", "/v1/users/" + id + "/message/sms", kNotifierKey, guide_request());
  expect_error(r, 400, "MESSAGE.PROVIDER_ERROR",
               "Twilio error 21211: The 'To' number [redacted] is not a valid phone number.");
  CHECK(twilio_message_count(*env.twilio) == 0);
}

TEST_CASE("Twilio unreachable or silent: a clear error, quickly", "[truevault][messaging]") {
  SECTION("nothing listens") {
    const int port = free_port();
    auto tv = start_truevault(truevault_config("http://127.0.0.1:" + std::to_string(port), 2000));
    const auto started = std::chrono::steady_clock::now();
    expect_error(
        call_json(*tv, "POST", kSmsPath, kNotifierKey, guide_request()), 502,
        "MESSAGE.PROVIDER_UNAVAILABLE",
        "Could not reach Twilio: Connection (http://127.0.0.1:" + std::to_string(port) + ")");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  }
  SECTION("accepts but never answers in time") {
    httplib::Server stub;
    std::atomic<bool> release{false};
    stub.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 300 && !release.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      res.set_content("{}", "application/json");
    });
    common::ListenConfig listen;
    listen.announce = false;
    listen.threads = 2;
    auto runner = common::ServerRunner::start(stub, listen);
    REQUIRE(runner);
    auto tv = start_truevault(truevault_config((*runner)->base_url(), 300));
    const auto started = std::chrono::steady_clock::now();
    expect_error(call_json(*tv, "POST", kSmsPath, kNotifierKey, guide_request()), 504,
                 "MESSAGE.PROVIDER_TIMEOUT", "Twilio did not answer within 300 ms");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    release.store(true);
    (*runner)->stop();
  }
}

TEST_CASE("TwilioClient reuses pooled keep-alive connections", "[truevault][messaging]") {
  auto twilio = start_twilio();
  http::TwilioClient client({twilio->base_url(), std::chrono::milliseconds(2000), 8},
                            common::make_logger("truevault-test", spdlog::level::warn));
  SmsMessage message{
      {kTwilioAccount, kTwilioKey, kTwilioSecret}, "+15557778888", "+15550001111", "hello", {}};
  for (int i = 0; i < 5; ++i) {
    auto sent = client.send(message);
    REQUIRE(sent.has_value());
    CHECK(sent->provider_message_id.rfind("SM", 0) == 0);
  }
  CHECK(client.connections_created() == 1);  // one TCP connection for five SMS
  auto rejected = client.send(
      {{kTwilioAccount, kTwilioKey, "wrong"}, "+15557778888", "+15550001111", "hello", {}});
  REQUIRE_FALSE(rejected.has_value());
  CHECK(rejected.error().kind == SmsFailure::Kind::kRejected);
  CHECK(rejected.error().http_status == 401);
  CHECK(rejected.error().provider_code == 20003);
  CHECK(rejected.error().message == "Authenticate");
}

TEST_CASE("TwilioClient: an https:// Twilio that refuses is a clear unreachable failure",
          "[truevault][messaging]") {
  // The https path stays httplib's SSLClient; its error's name must outlive the exchange.
  const std::string url = "https://127.0.0.1:" + std::to_string(free_port());
  http::TwilioClient client({url, std::chrono::milliseconds(2000), 8},
                            common::make_logger("truevault-test", spdlog::level::off));
  auto sent = client.send(
      {{kTwilioAccount, kTwilioKey, kTwilioSecret}, "+15557778888", "+15550001111", "hi", {}});
  REQUIRE_FALSE(sent.has_value());
  CHECK(sent.error().kind == SmsFailure::Kind::kUnreachable);
  CHECK(sent.error().message == "Connection (" + url + ")");
}

TEST_CASE("concurrent SMS requests all reach Twilio", "[truevault][messaging]") {
  Env env;
  for (int i = 0; i < 5; ++i) {
    expect_success(call_json(*env.tv, "POST", kSmsPath, kNotifierKey, guide_request()));
  }
  CHECK(twilio_message_count(*env.twilio) == 5);
  // Concurrent senders each get their own client; all succeed.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto client = env.tv->client();
        client->set_basic_auth(kNotifierKey, "");
        auto res = client->Post(kSmsPath, guide_request().dump(), "application/json");
        if (res && res->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(twilio_message_count(*env.twilio) == 25);
}

// GET /_mock/snapshot of both services (their default :memory: stores) as an opened database.
std::int64_t snapshot_count(const mock::testing::RunningService& server, const std::string& sql) {
  auto res = server.client()->Get("/_mock/snapshot");
  REQUIRE(res);
  INFO(res->body.substr(0, 300));
  REQUIRE(res->status == 200);
  REQUIRE(res->body.size() > 0);  // memdb's VACUUM INTO once wrote nothing to the disk
  const auto path = std::filesystem::temp_directory_path() /
                    ("mock-snapshot-test-" + std::to_string(::getpid()) + ".db");
  std::ofstream(path, std::ios::binary) << res->body;
  std::int64_t count = 0;
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
    count = db.execAndGet(sql).getInt64();
  }
  std::filesystem::remove(path);
  return count;
}

TEST_CASE("GET /_mock/snapshot of memory stores holds every SMS sent", "[truevault][messaging]") {
  Env env;
  for (int i = 0; i < 3; ++i) {
    expect_success(call_json(*env.tv, "POST", kSmsPath, kNotifierKey, guide_request()));
  }
  // Fewer than a batch: the outbox entries are still queued when the snapshot is asked for.
  CHECK(snapshot_count(*env.tv, "SELECT count(*) FROM sms_outbox") == 3);
  CHECK(snapshot_count(*env.tv, "SELECT count(*) FROM users") > 0);
  CHECK(snapshot_count(*env.twilio,
                       "SELECT count(*) FROM messages WHERE body = "
                       "'Please check your HealthCo messages'") == 3);
}

}  // namespace
}  // namespace mock::truevault::testing
