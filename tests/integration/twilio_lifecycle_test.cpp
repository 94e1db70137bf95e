// mock_twilio over time, over real HTTP: status callbacks to a real local webhook receiver
// (an httplib::Server on 127.0.0.1:0), signatures checked with our own HMAC computation,
// retries against failing receivers, manual/timed/immediate modes with the manual clock,
// scheduled and canceled sends, Messaging Services, opt-out/21610, inbound with TwiML
// replies, the magic table and determinism (same seed twice -> identical logs).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
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
using namespace std::chrono_literals;

using namespace testing::twilio;  // kAc, kToken, paths, test_config, ...

const std::string kAcTest = "AC00000000000000000000000000000003";
const std::string kTestToken = "a0000000000000000000000000000003";
const std::string kMg = "MG00000000000000000000000000000001";
const std::string kUser = "+15550001111";
std::string messages_path(const std::string& ac = kAc) {
  return "/2010-04-01/Accounts/" + ac + "/Messages.json";
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

// What an app would compute: URL + sorted name/value pairs, HMAC-SHA1 with the auth token.
std::string expected_signature(const std::string& token, const std::string& url,
                               const common::Form& form) {
  std::map<std::string, std::vector<std::string>> sorted;
  for (const auto& [k, v] : form.fields()) sorted[k].push_back(v);
  std::string data = url;
  for (auto& [k, values] : sorted) {
    std::sort(values.begin(), values.end());
    for (const auto& v : values) data += k + v;
  }
  return common::base64_encode(common::hmac_sha1(token, data));
}

struct Received {
  std::string path;
  std::string signature;
  std::string token;
  std::string user_agent;
  std::string content_type;
  common::Form form;
};

// A real webhook receiver: /ok 200 after 20 ms (so that a test reading the callback log as soon
// as the request arrives sees the entry still in flight, as a slow machine would), /fail 500,
// /slow answers after 800 ms, /sms answers the TwiML in `twiml`.
class Receiver {
 public:
  Receiver() {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        got_.push_back({req.path, req.get_header_value("X-Twilio-Signature"),
                        req.get_header_value("I-Twilio-Idempotency-Token"),
                        req.get_header_value("User-Agent"), req.get_header_value("Content-Type"),
                        common::parse_urlencoded(req.body)});
      }
      if (req.path == "/fail") {
        res.status = 500;
      } else if (req.path == "/ok") {
        std::this_thread::sleep_for(20ms);
      } else if (req.path == "/slow") {
        std::this_thread::sleep_for(800ms);
      } else if (req.path == "/sms") {
        std::lock_guard lock(mutex_);
        res.set_content(twiml_, "text/xml");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    wait_until([this] { return server_.is_running(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> got() {
    std::lock_guard lock(mutex_);
    return got_;
  }
  std::size_t count() { return got().size(); }
  void set_twiml(std::string twiml) {
    std::lock_guard lock(mutex_);
    twiml_ = std::move(twiml);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<Received> got_;
  std::string twiml_ = "<Response/>";
};

// The default fixture with the number's sms_url pointing at `receiver`.
std::string fixture_for(Receiver& receiver) {
  const auto dir = testing::temp_dir("twilio-lifecycle");
  auto doc = json::parse(testing::read_file(testing::fixture_path("default")), nullptr, true,
                         /*ignore_comments=*/true);
  for (auto& n : doc["twilio"]["phone_numbers"]) {
    if (n["phone_number"] == kFrom) n["sms_url"] = receiver.url("/sms");
  }
  const std::string path = dir + "/lifecycle.json";
  std::ofstream(path) << doc.dump(2);
  return path;
}

struct Twilio {
  Twilio(Receiver& receiver, const std::string& progression,
         std::optional<std::uint64_t> seed = std::nullopt) {
    Config config = test_config(fixture_for(receiver));
    dir = std::filesystem::path(config.server.fixtures).parent_path().string();
    config.server.seed = seed;
    config.sequential_ids = !seed;
    config.progression = progression;
    config.callbacks.timeout = 300ms;
    server = start_service(config);
  }
  ~Twilio() {
    server.reset();
    std::filesystem::remove_all(dir);
  }
  Twilio(const Twilio&) = delete;
  Twilio& operator=(const Twilio&) = delete;
  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& user = kAc, const std::string& pass = kToken) const {
    auto c = server->client();
    c->set_basic_auth(user.c_str(), pass.c_str());
    return c->Post(path.c_str(), body, "application/x-www-form-urlencoded");
  }
  json send(const std::vector<common::Form::Field>& fields, int expected = 201) const {
    auto res = post(messages_path(), common::encode_form(fields));
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == expected);
    return json::parse(res->body);
  }
  json control(const std::string& method, const std::string& path, const json& body = nullptr,
               int expected = 200) const {
    auto c = server->client();
    httplib::Result res =
        method == "GET" ? c->Get(path.c_str())
        : method == "PUT"
            ? c->Put(path.c_str(), body.dump(), "application/json")
            : c->Post(path.c_str(), body.is_null() ? "" : body.dump(), "application/json");
    REQUIRE(res);
    INFO(method << " " << path << " -> " << res->body);
    REQUIRE(res->status == expected);
    return json::parse(res->body);
  }
  json fetch(const std::string& sid) const {
    auto c = server->client();
    c->set_basic_auth(kAc.c_str(), kToken.c_str());
    auto res = c->Get(message_path(sid).c_str());
    REQUIRE(res);
    return json::parse(res->body);
  }
  void advance_clock(int seconds) const {
    control("POST", "/_mock/clock", {{"advance_seconds", seconds}});
  }
  json callbacks() const { return control("GET", "/_mock/twilio/callbacks")["callbacks"]; }
  bool status_is(const std::string& sid, const std::string& status) const {
    return fetch(sid)["status"] == status;
  }
  std::string dir;
  std::unique_ptr<testing::RunningService> server;
};

void check_error(const json& body, int status, int code, const std::string& message) {
  CHECK(body == error_envelope(status, code, message));
}

}  // namespace

TEST_CASE("timed mode + manual clock: callbacks arrive in order, signed", "[twilio][lifecycle]") {
  Receiver receiver;
  Twilio t(receiver, "timed");
  const auto created = t.send(
      {{"To", kUser}, {"From", kFrom}, {"Body", "hi"}, {"StatusCallback", receiver.url("/ok")}});
  CHECK(created["status"] == "queued");
  std::this_thread::sleep_for(100ms);
  CHECK(receiver.count() == 0);  // no callback for the initial status, nothing due yet
  t.advance_clock(1);
  REQUIRE(wait_until([&] { return receiver.count() == 1; }));
  CHECK(t.status_is(created["sid"], "sending"));
  t.advance_clock(10);
  REQUIRE(wait_until([&] { return receiver.count() == 3; }));
  const auto got = receiver.got();
  const std::vector<std::string> order{"sending", "sent", "delivered"};
  std::set<std::string> tokens;
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO(i);
    const auto& r = got[i];
    CHECK(r.path == "/ok");
    CHECK(r.form.get("MessageStatus") == order[i]);
    CHECK(r.form.get("SmsStatus") == order[i]);
    CHECK(r.form.get("MessageSid") == created["sid"].get<std::string>());
    CHECK(r.form.get("SmsSid") == created["sid"].get<std::string>());
    CHECK(r.form.get("AccountSid") == kAc);
    CHECK(r.form.get("From") == kFrom);
    CHECK(r.form.get("To") == kUser);
    CHECK(r.form.get("ApiVersion") == "2010-04-01");
    CHECK_FALSE(r.form.has("ErrorCode"));
    CHECK(r.user_agent == "TwilioProxy/1.1");
    CHECK(r.content_type == "application/x-www-form-urlencoded");
    CHECK(r.signature == expected_signature(kToken, receiver.url("/ok"), r.form));
    CHECK(r.token.size() == 36);
    tokens.insert(r.token);
  }
  CHECK(tokens.size() == 3);
  const auto fetched = t.fetch(created["sid"]);
  CHECK(fetched["status"] == "delivered");
  CHECK(fetched["date_sent"] == "Thu, 01 Jan 2026 00:00:02 +0000");
  CHECK(fetched["date_updated"] == "Thu, 01 Jan 2026 00:00:04 +0000");
  // The receiver has the third request before the dispatcher has its response and settles the
  // log entry ("pending" until then): wait for the entry, not for the receiver.
  REQUIRE(wait_until([&] {
    const auto log = t.callbacks();
    return log.size() == 3 && log[2]["state"] != "pending";
  }));
  const auto log = t.callbacks();
  REQUIRE(log.size() == 3);
  CHECK(log[2]["state"] == "delivered");
  CHECK(log[2]["response_code"] == 200);
  CHECK(log[2]["url"] == receiver.url("/ok"));
  CHECK(log[2]["params"]["MessageStatus"] == "delivered");
  CHECK(log[2]["signature"] == got[2].signature);
  CHECK(log[2]["attempt"] == 1);
  CHECK(log[2]["latency_ms"].is_number());
}

TEST_CASE("failing receivers (500, refused, timeout, https) are retried and logged",
          "[twilio][callbacks]") {
  Receiver receiver;
  Twilio t(receiver, "manual");
  t.control("PUT", "/_mock/twilio/callback_options",
            {{"max_attempts", 2}, {"backoff_ms", 1000}, {"timeout_ms", 300}});
  const std::string refused_url = [] {
    // Bind a port, then close it without listening: connections to it are refused.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/gone";
  }();
  struct Case {
    std::string url;
    std::optional<int> code;
    std::string error;
  };
  const Case cases[] = {{receiver.url("/fail"), 500, "HTTP 500"},
                        {refused_url, std::nullopt, "connection failed (refused or unreachable)"},
                        {receiver.url("/slow"), std::nullopt,
                         "timeout or connection closed while reading the response"},
                        {"https://127.0.0.1:1/tls", std::nullopt,
                         "unsupported URL (only http://host[:port]/path is reachable)"}};
  for (const auto& c : cases) {
    INFO(c.url);
    const auto m =
        t.send({{"To", kUser}, {"From", kFrom}, {"Body", "x"}, {"StatusCallback", c.url}});
    const std::string sid = m["sid"];
    t.control("POST", "/_mock/twilio/messages/" + sid + "/advance");
    auto log_of = [&] {
      return t.control("GET", "/_mock/twilio/callbacks?message_sid=" + sid)["callbacks"];
    };
    REQUIRE(wait_until([&] { return log_of().size() == 2 && log_of()[0]["state"] == "failed"; }));
    auto log = log_of();
    CHECK(log[0]["attempt"] == 1);
    CHECK(log[0]["error"] == c.error);
    CHECK(log[0]["response_code"] == (c.code ? json(*c.code) : json(nullptr)));
    CHECK(log[1]["state"] == "pending");
    CHECK(log[1]["attempt"] == 2);
    CHECK(log[1]["idempotency_token"] == log[0]["idempotency_token"]);
    t.advance_clock(1);  // the backoff
    REQUIRE(wait_until([&] { return log_of()[1]["state"] == "failed"; }));
    std::this_thread::sleep_for(50ms);
    CHECK(log_of().size() == 2);  // max_attempts reached: no third attempt
  }
  CHECK(receiver.count() == 4);  // /fail twice, /slow twice
}

TEST_CASE("manual mode: advance over HTTP, set any status, errors", "[twilio][lifecycle]") {
  Receiver receiver;
  Twilio t(receiver, "manual");
  const auto m = t.send(
      {{"To", kUser}, {"From", kFrom}, {"Body", "x"}, {"StatusCallback", receiver.url("/ok")}});
  const std::string sid = m["sid"];
  t.advance_clock(3600);
  std::this_thread::sleep_for(50ms);
  CHECK(t.status_is(sid, "queued"));  // manual: time alone moves nothing
  const std::string advance = "/_mock/twilio/messages/" + sid + "/advance";
  CHECK(t.control("POST", advance)["status"] == "sending");
  const auto set = t.control("POST", advance, {{"status", "undelivered"}, {"error_code", 30003}});
  CHECK(set["status"] == "undelivered");
  CHECK(set["error_code"] == 30003);
  CHECK(set["error_message"] == "Unreachable destination handset");
  REQUIRE(wait_until([&] { return receiver.count() == 2; }));
  const auto last = receiver.got()[1];
  CHECK(last.form.get("MessageStatus") == "undelivered");
  CHECK(last.form.get("ErrorCode") == "30003");
  check_error(t.control("POST", advance, nullptr, 400), 400, 20001,
              "Invalid status: message " + sid + " is undelivered and has no next status");
  check_error(t.control("POST", advance, {{"status", "bogus"}}, 400), 400, 20001,
              "Invalid status: not a message status");
  check_error(t.control("POST", "/_mock/twilio/messages/SMnope/advance", nullptr, 404), 404, 20404,
              "The requested resource /_mock/twilio/messages/SMnope/advance was not found");
  check_error(t.control("PUT", "/_mock/twilio/lifecycle", {{"mode", "fast"}}, 400), 400, 20001,
              "Invalid mode: expected immediate, timed or manual");
  check_error(t.control("PUT", "/_mock/twilio/callback_options", {{"max_attempts", 0}}, 400), 400,
              20001, "Invalid max_attempts: must be at least 1");
  // Switching to immediate at run time.
  t.control("PUT", "/_mock/twilio/lifecycle", {{"mode", "immediate"}});
  const auto quick = t.send({{"To", kUser}, {"From", kFrom}, {"Body", "y"}});
  REQUIRE(wait_until([&] { return t.status_is(quick["sid"], "delivered"); }));
}

TEST_CASE("reserved numbers end undelivered / failed with their 300xx code",
          "[twilio][lifecycle]") {
  Receiver receiver;
  Twilio t(receiver, "immediate");
  const auto u = t.send({{"To", "+15550100004"}, {"From", kFrom}, {"Body", "x"}});
  const auto f = t.send({{"To", "+15550100013"}, {"From", kFrom}, {"Body", "x"}});
  REQUIRE(wait_until([&] { return t.status_is(u["sid"], "undelivered"); }));
  REQUIRE(wait_until([&] { return t.status_is(f["sid"], "failed"); }));
  CHECK(t.fetch(u["sid"])["error_code"] == 30007);
  CHECK(t.fetch(u["sid"])["error_message"] == "Carrier violation");
  CHECK(t.fetch(f["sid"])["error_code"] == 30004);
  CHECK(t.fetch(f["sid"])["error_message"] == "Message blocked");
  const auto magic = t.control("GET", "/_mock/twilio/magic")["magic_numbers"];
  CHECK(magic.size() == 20);
  CHECK(magic[0] == json{{"number", "+15005550001"},
                         {"scope", "test_from"},
                         {"effect", "reject"},
                         {"code", 21212},
                         {"delay_seconds", 0},
                         {"description", "invalid number"}});
}

TEST_CASE("test credentials: Twilio's magic numbers, no progression, no callbacks",
          "[twilio][magic]") {
  Receiver receiver;
  Twilio t(receiver, "immediate");
  struct Case {
    std::string from;
    std::string to;
    int code;
    std::string message;
  };
  const Case cases[] = {
      {"+15005550001", kUser, 21212,
       "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric "
       "sender ID."},
      {"+15005550007", kUser, 21606,
       "The From phone number +15005550007 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"+15005550008", kUser, 21611,
       "This 'From' number has exceeded the maximum number of queued messages"},
      {kFrom, kUser, 21606,
       "The From phone number +15557778888 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"+15005550006", "+15005550001", 21211,
       "The 'To' number +15005550001 is not a valid phone number."},
      {"+15005550006", "+15005550002", 21612,
       "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone "
       "number: +15005550006 via SMS."},
      {"+15005550006", "+15005550003", 21408,
       "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
       "number: +15005550003."},
      {"+15005550006", "+15005550004", 21610, "Attempt to send to unsubscribed recipient"},
      {"+15005550006", "+15005550009", 21614, "'To' number is not a valid mobile number"},
  };
  for (const auto& c : cases) {
    INFO(c.from << " -> " << c.to);
    auto res = t.post(messages_path(kAcTest),
                      common::encode_form({{"To", c.to}, {"From", c.from}, {"Body", "x"}}), kAcTest,
                      kTestToken);
    REQUIRE(res);
    CHECK(res->status == 400);
    check_error(json::parse(res->body), 400, c.code, c.message);
  }
  auto ok = t.post(messages_path(kAcTest),
                   common::encode_form({{"To", kUser},
                                        {"From", "+15005550006"},
                                        {"Body", "x"},
                                        {"StatusCallback", receiver.url("/ok")}}),
                   kAcTest, kTestToken);
  REQUIRE(ok);
  REQUIRE(ok->status == 201);
  t.advance_clock(60);
  std::this_thread::sleep_for(100ms);
  CHECK(json::parse(ok->body)["status"] == "queued");
  CHECK(receiver.count() == 0);
  CHECK(t.callbacks().empty());
}

TEST_CASE("Messaging Service: accepted, sender picked later, MessagingServiceSid in callbacks",
          "[twilio][services]") {
  Receiver receiver;
  Twilio t(receiver, "timed");
  const auto m = t.send({{"To", kUser},
                         {"MessagingServiceSid", kMg},
                         {"Body", "from the pool"},
                         {"StatusCallback", receiver.url("/ok")}});
  CHECK(m["status"] == "accepted");
  CHECK(m["from"].is_null());
  CHECK(m["num_segments"] == "0");
  CHECK(m["messaging_service_sid"] == kMg);
  t.advance_clock(30);
  REQUIRE(wait_until([&] { return receiver.count() == 4; }));
  const auto got = receiver.got();
  CHECK(got[0].form.get("MessageStatus") == "queued");
  CHECK(got[3].form.get("MessageStatus") == "delivered");
  for (const auto& r : got) CHECK(r.form.get("MessagingServiceSid") == kMg);
  const auto done = t.fetch(m["sid"]);
  CHECK(done["from"] == kFrom);
  CHECK(done["num_segments"] == "1");
  check_error(t.send({{"To", kUser},
                      {"MessagingServiceSid", "MG00000000000000000000000000000009"},
                      {"Body", "x"}},
                     400),
              400, 21705,
              "The Messaging Service Sid MG00000000000000000000000000000009 is invalid.");
}

TEST_CASE("scheduled sends stay scheduled until due; cancel", "[twilio][schedule]") {
  Receiver receiver;
  Twilio t(receiver, "timed");
  auto scheduled = [&](const std::string& at) {
    return t.send({{"To", kUser},
                   {"MessagingServiceSid", kMg},
                   {"Body", "later"},
                   {"ScheduleType", "fixed"},
                   {"SendAt", at},
                   {"StatusCallback", receiver.url("/ok")}});
  };
  const auto due = scheduled("2026-01-01T00:20:00Z");
  const auto doomed = scheduled("2026-01-01T00:30:00Z");
  CHECK(due["status"] == "scheduled");
  CHECK(due["date_sent"].is_null());
  CHECK(due["num_segments"] == "0");
  t.advance_clock(19 * 60);
  std::this_thread::sleep_for(50ms);
  CHECK(t.status_is(due["sid"], "scheduled"));
  const auto canceled = t.post(message_path(doomed["sid"]), "Status=canceled");
  REQUIRE(canceled);
  CHECK(canceled->status == 200);
  CHECK(json::parse(canceled->body)["status"] == "canceled");
  t.advance_clock(60 + 10);
  REQUIRE(wait_until([&] { return t.status_is(due["sid"], "delivered"); }));
  CHECK(t.status_is(doomed["sid"], "canceled"));
  REQUIRE(wait_until([&] { return receiver.count() == 5; }));
  std::vector<std::string> seen;
  for (const auto& r : receiver.got()) seen.push_back(*r.form.get("MessageStatus"));
  CHECK(seen == std::vector<std::string>{"canceled", "queued", "sending", "sent", "delivered"});
  const auto again = t.post(message_path(due["sid"]), "Status=canceled");
  check_error(json::parse(again->body), 400, 30409, "This message cannot be canceled");
  check_error(t.send({{"To", kUser},
                      {"From", kFrom},
                      {"Body", "x"},
                      {"ScheduleType", "fixed"},
                      {"SendAt", "2026-01-01T00:20:00Z"}},
                     400),
              400, 35118, "MessagingServiceSid is required to schedule a message");
  check_error(
      t.send(
          {{"To", kUser}, {"MessagingServiceSid", kMg}, {"Body", "x"}, {"ScheduleType", "fixed"}},
          400),
      400, 35111, "SendAt is required when ScheduleType is fixed");
  check_error(t.send({{"To", kUser},
                      {"MessagingServiceSid", kMg},
                      {"Body", "x"},
                      {"ScheduleType", "fixed"},
                      {"SendAt", "2026-01-01T00:10:00Z"}},
                     400),
              400, 35114,
              "Scheduling does not support this timestamp: 2026-01-01T00:10:00Z (SendAt must be "
              "YYYY-MM-DDTHH:MM:SSZ, 15 minutes to 35 days ahead)");
}

TEST_CASE("inbound: TwiML reply, STOP -> 21610, START re-subscribes", "[twilio][inbound]") {
  Receiver receiver;
  Twilio t(receiver, "immediate");
  receiver.set_twiml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Thanks, we got it"
      "</Message></Response>");
  const auto r = t.control("POST", "/_mock/twilio/inbound",
                           {{"From", kUser}, {"To", kFrom}, {"Body", "Hello"}}, 201);
  CHECK(r["message"]["direction"] == "inbound");
  CHECK(r["message"]["status"] == "received");
  CHECK(r["message"]["error_code"].is_null());
  REQUIRE(r["replies"].size() == 1);
  CHECK(r["replies"][0]["direction"] == "outbound-reply");
  CHECK(r["replies"][0]["body"] == "Thanks, we got it");
  CHECK(r["replies"][0]["to"] == kUser);
  CHECK(r["webhook"]["kind"] == "inbound");
  CHECK(r["webhook"]["response_code"] == 200);
  REQUIRE(receiver.count() == 1);
  const auto hook = receiver.got()[0];
  CHECK(hook.path == "/sms");
  CHECK(hook.form.get("Body") == "Hello");
  CHECK(hook.form.get("SmsStatus") == "received");
  CHECK(hook.signature == expected_signature(kToken, receiver.url("/sms"), hook.form));
  REQUIRE(wait_until([&] { return t.status_is(r["replies"][0]["sid"], "delivered"); }));

  receiver.set_twiml("<Response/>");
  // Form-encoded works too.
  auto stop = t.server->client()->Post(
      "/_mock/twilio/inbound",
      common::encode_form({{"From", kUser}, {"To", kFrom}, {"Body", "STOP"}}),
      "application/x-www-form-urlencoded");
  REQUIRE(stop);
  REQUIRE(stop->status == 201);
  CHECK(receiver.got().back().form.get("OptOutType") == "STOP");
  check_error(t.send({{"To", kUser}, {"From", kFrom}, {"Body", "x"}}, 400), 400, 21610,
              "Attempt to send to unsubscribed recipient");
  t.control("POST", "/_mock/twilio/inbound", {{"From", kUser}, {"To", kFrom}, {"Body", "START"}},
            201);
  t.send({{"To", kUser}, {"From", kFrom}, {"Body", "welcome back"}});

  receiver.set_twiml("<Response><Message>broken</Response>");
  const auto bad = t.control("POST", "/_mock/twilio/inbound",
                             {{"From", kUser}, {"To", kFrom}, {"Body", "again"}}, 201);
  CHECK(bad["message"]["error_code"] == 12100);
  CHECK(bad["message"]["error_message"] == "Document parse failure");
  CHECK(bad["replies"].empty());
  check_error(t.control("POST", "/_mock/twilio/inbound",
                        {{"From", kUser}, {"To", "+15559990000"}, {"Body", "x"}}, 404),
              404, 20404,
              "The requested resource +15559990000 was not found (no account owns this number)");
}

TEST_CASE("determinism: the same seed and requests give identical logs", "[twilio][determinism]") {
  Receiver receiver;
  Twilio t(receiver, "timed", 42);
  auto run = [&] {
    t.control("POST", "/_mock/reset", {{"seed", 42}});
    t.send(
        {{"To", kUser}, {"From", kFrom}, {"Body", "one"}, {"StatusCallback", receiver.url("/ok")}});
    t.send({{"To", "+15550100001"},
            {"MessagingServiceSid", kMg},
            {"Body", "two"},
            {"StatusCallback", receiver.url("/ok")}});
    t.control("POST", "/_mock/twilio/inbound", {{"From", kUser}, {"To", kFrom}, {"Body", "hi"}},
              201);
    t.advance_clock(60);
    // Callbacks go out in due order, not in id order: wait for every entry to settle.
    REQUIRE(wait_until([&] {
      const auto log = t.callbacks();
      return log.size() == 8 && std::none_of(log.begin(), log.end(),
                                             [](const json& c) { return c["state"] == "pending"; });
    }));
    auto callbacks = t.callbacks();
    for (auto& c : callbacks) c.erase("latency_ms");  // real time: volatile
    return std::pair(t.control("GET", "/_mock/messages"), callbacks);
  };
  const auto first = run();
  const auto second = run();
  CHECK(first.first.dump() == second.first.dump());
  CHECK(first.second.dump() == second.second.dump());
  CHECK(first.first["messages"].size() == 3);
}

}  // namespace mock::twilio
