// Bad input against mock_twilio over real HTTP: malformed forms, wrong content types, huge
// bodies, unknown routes, missing auth. Every answer is Twilio's envelope, the server keeps
// serving and stored messages are intact. Also the /_mock inspection API, reset and --db.
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "mock_twilio/service.hpp"
#include "tests/integration/twilio_test_support.hpp"
#include "tests/support/harness.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mock::twilio {
namespace {

using nlohmann::json;

using namespace testing::twilio;  // kAc, kToken, paths, test_config, ...

const std::string kGood = "To=%2B15550001111&From=%2B15557778888&Body=kept";

Config test_config() {
  Config config = testing::twilio::test_config();
  config.progression = "immediate";  // the default is timed
  return config;
}

std::unique_ptr<testing::RunningService> start(const Config& config = test_config()) {
  return start_service(config);
}

std::unique_ptr<httplib::Client> authed(const testing::RunningService& s) {
  auto c = s.client();
  c->set_basic_auth(kAc.c_str(), kToken.c_str());
  return c;
}

void check_error(const httplib::Result& res, int status, int code, const std::string& message) {
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == status);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  CHECK(json::parse(res->body) == error_envelope(status, code, message));
}

// The server still answers and the first message is unchanged.
void check_intact(const testing::RunningService& s) {
  auto res = authed(s)->Get((kMessages).c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  const auto list = json::parse(res->body)["messages"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["sid"] == "SM00000000000000000000000000000001");
  CHECK(list[0]["body"] == "kept");
}

// Sends `bytes` on a fresh connection and returns the response: headers plus a body of
// Content-Length bytes (or whatever arrived before the server closed, or 5 s passed).
std::string send_raw(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    const auto end = out.find("\r\n\r\n");
    const auto cl = out.find("Content-Length: ");
    if (end != std::string::npos && cl != std::string::npos && cl < end) {
      const auto length = std::stoul(out.substr(cl + 16, out.find("\r\n", cl) - cl - 16));
      if (out.size() >= end + 4 + length) break;
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("bad requests get Twilio envelopes and change nothing", "[twilio][robustness]") {
  auto s = start();
  auto c = authed(*s);
  REQUIRE(c->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded")->status == 201);

  SECTION("a JSON body carries no form fields: 21604") {
    check_error(
        c->Post(kMessages.c_str(), R"({"To": "+15550001111", "Body": "x"})", "application/json"),
        400, 21604, "A 'To' phone number is required.");
  }
  SECTION("wrong content type: 21604") {
    check_error(c->Post(kMessages.c_str(), kGood, "text/plain"), 400, 21604,
                "A 'To' phone number is required.");
  }
  SECTION("malformed form: bad escapes kept literally, bare keys are empty") {
    check_error(
        c->Post(kMessages.c_str(), "To=%ZZ&&=&From&Body=%", "application/x-www-form-urlencoded"),
        400, 21603, "A 'From' phone number is required.");
    check_error(c->Post(kMessages.c_str(), "To=%ZZ&From=%2B15557778888&Body=%",
                        "application/x-www-form-urlencoded"),
                400, 21211, "The 'To' number %ZZ is not a valid phone number.");
  }
  SECTION("binary garbage as a form") {
    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 37) & 0xff));
    // Parameters that are not UTF-8 are refused before any rule (issue 7's bad-input matrix).
    check_error(c->Post(kMessages.c_str(), garbage, "application/x-www-form-urlencoded"), 400,
                20001, "Invalid parameter: must be UTF-8 text");
  }
  SECTION("a body over 1 MiB: 413") {
    const std::string huge = kGood + "&Pad=" + std::string(1536 * 1024, 'a');
    check_error(c->Post(kMessages.c_str(), huge, "application/x-www-form-urlencoded"), 413, 20413,
                "Request body exceeds the 1048576-byte limit");
  }
  SECTION("a body over httplib's own limit (2 MiB): 413, same envelope") {
    const std::string huge = kGood + "&Pad=" + std::string(3 * 1024 * 1024, 'a');
    check_error(c->Post(kMessages.c_str(), huge, "application/x-www-form-urlencoded"), 413, 20413,
                "Request body exceeds the 1048576-byte limit");
  }
  SECTION("unknown routes: Twilio's 404 body") {
    for (const std::string& path :
         {std::string("/2010-04-01/Accounts/") + kAc + "/Calls.json",
          std::string("/2010-04-01/Accounts/") + kAc + "/Messages", std::string("/nope")}) {
      check_error(c->Get(path.c_str()), 404, 20404,
                  "The requested resource " + path + " was not found");
    }
    check_error(c->Get("/nope?x=1"), 404, 20404, "The requested resource /nope was not found");
    check_error(c->Put(kMessages.c_str(), kGood, "application/x-www-form-urlencoded"), 404, 20404,
                "The requested resource " + kMessages + " was not found");
  }
  SECTION("missing auth") {
    auto anon = s->client();
    check_error(anon->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded"), 401,
                20003, "Authenticate");
    check_error(anon->Get(kMessages.c_str()), 401, 20003, "Authenticate");
  }
  SECTION("a malformed request line: httplib's 400 in a Twilio envelope") {
    const auto raw = send_raw(s->port(), "GARBAGE\r\n\r\n");
    INFO(raw);
    CHECK(raw.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(raw.find("Content-Type: application/json") != std::string::npos);
    CHECK(raw.ends_with(
        R"({"code":20400,"message":"Bad Request","more_info":"https://www.twilio.com/docs/errors/20400","status":400})"));
  }
  check_intact(*s);
}

TEST_CASE("/_mock/messages: inspect with filters / then clear", "[twilio][control]") {
  auto s = start();
  auto c = authed(*s);
  REQUIRE(c->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded")->status == 201);
  REQUIRE(c->Post(kMessages.c_str(), "To=%2B15550002222&From=%2B15557778888&Body=two",
                  "application/x-www-form-urlencoded")
              ->status == 201);
  auto anon = s->client();
  json all;
  for (int i = 0; i < 500; ++i) {  // the scheduler thread delivers them
    all = json::parse(anon->Get("/_mock/messages")->body)["messages"];
    if (all.size() == 2 && all[0]["status"] == "delivered" && all[1]["status"] == "delivered")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(all.size() == 2);
  CHECK(all[0]["body"] == "two");  // newest first, Twilio's message JSON
  CHECK(all[0]["status"] == "delivered");
  auto to = json::parse(anon->Get("/_mock/messages?to=%2B15550002222")->body)["messages"];
  REQUIRE(to.size() == 1);
  CHECK(to[0]["to"] == "+15550002222");
  CHECK(json::parse(anon->Get("/_mock/messages?from=%2B15557778888")->body)["messages"].size() ==
        2);
  CHECK(json::parse(anon->Get(("/_mock/messages?account_sid=" + kAc).c_str())->body)["messages"]
            .size() == 2);
  CHECK(json::parse(anon->Get("/_mock/messages?account_sid=AC00000000000000000000000000000002")
                        ->body)["messages"]
            .empty());
  auto cleared = anon->Delete("/_mock/messages");
  REQUIRE(cleared);
  CHECK(json::parse(cleared->body) == json{{"deleted", 2}});
  CHECK(json::parse(anon->Get("/_mock/messages")->body)["messages"].empty());
}

TEST_CASE("/_mock/reset rebuilds from the fixture and reseeds ids", "[twilio][control]") {
  auto s = start();
  auto c = authed(*s);
  REQUIRE(c->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded")->status == 201);
  auto anon = s->client();
  CHECK(anon->Get("/_mock/health")->status == 200);
  auto reset = anon->Post("/_mock/reset", "", "application/json");
  REQUIRE(reset);
  CHECK(reset->status == 200);
  CHECK(json::parse(c->Get(kMessages.c_str())->body)["messages"].empty());
  auto again = c->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded");
  CHECK(json::parse(again->body)["sid"] == "SM00000000000000000000000000000001");
  auto missing = anon->Post("/_mock/reset", R"({"fixture": "does-not-exist"})", "application/json");
  CHECK(missing->status == 404);
  // The failed reset left the state alone.
  CHECK(json::parse(c->Get(kMessages.c_str())->body)["messages"].size() == 1);
}

TEST_CASE("persistence with --db: state survives a restart and a fresh file gets the fixture",
          "[twilio][store]") {
  const auto dir = testing::temp_dir("twilio-db");
  auto config = test_config();
  config.server.db = dir + "/twilio.db";
  {
    auto s = start(config);
    REQUIRE(
        authed(*s)->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded")->status ==
        201);
  }
  {
    auto s = start(config);
    check_intact(*s);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a fixture mistake stops the service with file / pointer and problem",
          "[twilio][store]") {
  const auto dir = testing::temp_dir("twilio-bad-fixture");
  const std::string path = dir + "/bad.json";
  {
    std::ofstream out(path);
    out << R"({"twilio": {"accounts": [{"sid": "AC123", "auth_token": "t"}]}})";
  }
  auto config = test_config();
  config.server.fixtures = path;
  auto service = make_service(config);
  REQUIRE_FALSE(service);
  CHECK(service.error() == path +
                               ": /twilio/accounts/0/sid: 'AC123' is not an account SID (must "
                               "match ^AC[0-9a-f]{32}$)");
  std::filesystem::remove_all(dir);
}

}  // namespace mock::twilio

namespace mock::twilio {

TEST_CASE("concurrent creates and lists from 8 clients: no lost or duplicate messages",
          "[twilio][robustness]") {
  auto s = start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = authed(*s);
      for (int i = 0; i < kPerThread; ++i) {
        auto res = c->Post(kMessages.c_str(), kGood, "application/x-www-form-urlencoded");
        if (!res || res->status != 201) ++failures[static_cast<std::size_t>(t)];
        auto list = c->Get((kMessages + "?PageSize=5").c_str());
        if (!list || list->status != 200) ++failures[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
  auto res = authed(*s)->Get((kMessages + "?PageSize=1000").c_str());
  REQUIRE(res);
  const auto list = json::parse(res->body)["messages"];
  CHECK(list.size() == kThreads * kPerThread);
  std::set<std::string> sids;
  for (const auto& m : list) sids.insert(m["sid"].get<std::string>());
  CHECK(sids.size() == kThreads * kPerThread);
}

}  // namespace mock::twilio
