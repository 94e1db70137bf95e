// mock_twilio over real HTTP on 127.0.0.1:0, in process (sequential ids, manual clock): every
// Messages endpoint, both kinds of credentials, paging, filters and every error with its code
// and message.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/form.hpp"
#include "mock_twilio/service.hpp"
#include "tests/integration/twilio_test_support.hpp"
#include "tests/support/harness.hpp"

namespace mock::twilio {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using namespace testing::twilio;  // kAc, kToken, paths, test_config, ...

const std::string kAc2 = "AC00000000000000000000000000000002";
const std::string kToken2 = "a0000000000000000000000000000002";
const std::string kSk = "SK00000000000000000000000000000001";
const std::string kSecret = "mock-api-key-secret";
std::string form(const std::vector<common::Form::Field>& fields) {
  return common::encode_form(fields);
}

// One server per test: default fixture (or `fixture_path`), manual clock, sequential ids.
struct Twilio {
  explicit Twilio(const std::string& fixture_path = testing::fixture_path("default")) {
    Config config = test_config(fixture_path);
    config.progression = "immediate";  // the default is timed; these tests want final states
    server = start_service(config);
    clock = server->service().manual_clock();
  }

  std::unique_ptr<httplib::Client> client(const std::string& user = kAc,
                                          const std::string& pass = kToken) const {
    auto c = server->client();
    if (!user.empty()) c->set_basic_auth(user.c_str(), pass.c_str());
    return c;
  }
  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& user = kAc, const std::string& pass = kToken) const {
    return client(user, pass)->Post(path.c_str(), body, "application/x-www-form-urlencoded");
  }
  httplib::Result get(const std::string& path, const std::string& user = kAc,
                      const std::string& pass = kToken) const {
    return client(user, pass)->Get(path.c_str());
  }
  httplib::Result del(const std::string& path, const std::string& user = kAc,
                      const std::string& pass = kToken) const {
    return client(user, pass)->Delete(path.c_str());
  }
  json send(const std::string& to, const std::string& body, const std::string& user = kAc,
            const std::string& pass = kToken) const {
    auto res = post(kMessages, form({{"To", to}, {"From", kFrom}, {"Body", body}}), user, pass);
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 201);
    settle();
    return json::parse(res->body);
  }
  // Transitions run on the scheduler thread: wait until no message has a step due.
  void settle() const {
    for (int i = 0; i < 500; ++i) {
      const auto state = json::parse(server->client()->Get("/_mock/state")->body);
      bool busy = false;
      for (const auto& m : state["messages"]) busy = busy || !m["next_at_ms"].is_null();
      if (!busy) return;
      std::this_thread::sleep_for(10ms);
    }
    FAIL("messages did not settle");
  }

  std::unique_ptr<testing::RunningService> server;
  common::ManualClock* clock = nullptr;
};

json body_of(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->get_header_value("Content-Type") == "application/json");
  return json::parse(res->body);
}

void check_error(const httplib::Result& res, int status, int code, const std::string& message) {
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == status);
  const auto j = body_of(res);
  CHECK(j == error_envelope(status, code, message));
}

// A fixture with messages in every interesting state, written to a temporary directory.
std::string write_fixture_with_messages() {
  const auto dir = testing::temp_dir("twilio-fixture");
  const std::string path = dir + "/states.json";
  auto doc = json::parse(testing::read_file(testing::fixture_path("default")), nullptr, true,
                         /*ignore_comments=*/true);
  auto row = [](const std::string& sid, const std::string& status) {
    return json{{"sid", sid},
                {"account_sid", kAc},
                {"from", kFrom},
                {"to", "+15550001111"},
                {"body", "in flight"},
                {"status", status},
                {"date_created", "2025-12-31T12:00:00Z"}};
  };
  doc["twilio"]["messages"] = json::array({row("SM000000000000000000000000000000a1", "queued"),
                                           row("SM000000000000000000000000000000a2", "sending"),
                                           row("SM000000000000000000000000000000a3", "scheduled")});
  std::ofstream(path) << doc.dump(2);
  return path;
}

}  // namespace

TEST_CASE("CreateMessage then FetchMessage: queued in the response / delivered after",
          "[twilio][messages]") {
  Twilio t;
  auto res = t.post(kMessages,
                    "To=5550001111&From=%2B15557778888&Body=Please+check%20your+"
                    "HealthCo%20messages&Unknown=ignored");
  REQUIRE(res);
  CHECK(res->status == 201);
  const auto created = body_of(res);
  const std::string sid = "SM00000000000000000000000000000001";
  CHECK(created["sid"] == sid);
  CHECK(created["account_sid"] == kAc);
  CHECK(created["to"] == "+15550001111");  // national number read as US
  CHECK(created["from"] == kFrom);
  CHECK(created["body"] == "Please check your HealthCo messages");
  CHECK(created["status"] == "queued");
  CHECK(created["direction"] == "outbound-api");
  CHECK(created["date_sent"].is_null());
  CHECK(created["price"].is_null());
  CHECK(created["num_segments"] == "1");
  CHECK(created["num_media"] == "0");
  CHECK(created["api_version"] == "2010-04-01");
  CHECK(created["date_created"] == "Thu, 01 Jan 2026 00:00:00 +0000");
  CHECK(created["uri"] == message_path(sid));
  CHECK(created.size() == 20);

  t.settle();
  t.clock->advance(5s);
  const auto fetched = body_of(t.get(message_path(sid)));
  CHECK(fetched["status"] == "delivered");
  CHECK(fetched["date_sent"] == "Thu, 01 Jan 2026 00:00:00 +0000");
  CHECK(fetched["price"] == "-0.00790");
  CHECK(fetched["price_unit"] == "USD");
  CHECK(fetched["body"] == created["body"]);
}

TEST_CASE("MediaUrl repeated and StatusCallback accepted", "[twilio][messages]") {
  Twilio t;
  auto res = t.post(kMessages,
                    "To=%2B15558675310&StatusCallback=https%3A%2F%2Fcb.example%2Fs&"
                    "From=%2B15557778888&Body=Hello%20%F0%9F%91%8D&MediaUrl=https%3A%2F"
                    "%2Fe.x%2Fa.png&MediaUrl=https%3A%2F%2Fe.x%2Fb.png");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  const auto j = body_of(res);
  CHECK(j["sid"].get<std::string>().starts_with("MM"));
  CHECK(j["num_media"] == "2");
  CHECK(j["body"] == "Hello \xF0\x9F\x91\x8D");
}

TEST_CASE("auth: token / API key / and every refusal is 401/20003", "[twilio][auth]") {
  Twilio t;
  t.send("+15550001111", "with token");
  auto with_key = t.post(kMessages, form({{"To", "+15550001112"}, {"From", kFrom}, {"Body", "k"}}),
                         kSk, kSecret);
  REQUIRE(with_key);
  CHECK(with_key->status == 201);
  CHECK(body_of(t.get(kMessages, kSk, kSecret))["messages"].size() == 2);

  struct Case {
    const char* name;
    std::string user;
    std::string pass;
    std::string path;
  };
  const std::string ac2_messages = "/2010-04-01/Accounts/" + kAc2 + "/Messages.json";
  const Case cases[] = {
      {"no credentials", "", "", kMessages},
      {"wrong token", kAc, "wrong", kMessages},
      {"another account's valid credentials", kAc2, kToken2, kMessages},
      {"API key on another account", kSk, kSecret, ac2_messages},
      {"API key with the auth token", kSk, kToken, kMessages},
      {"malformed path account", kAc, kToken, "/2010-04-01/Accounts/null/Messages.json"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto get = t.get(c.path, c.user, c.pass);
    check_error(get, 401, 20003, "Authenticate");
    CHECK(get->get_header_value("WWW-Authenticate") == "Basic realm=\"Twilio API\"");
    check_error(t.post(c.path, form({{"To", "+15550001111"}, {"From", kFrom}, {"Body", "x"}}),
                       c.user, c.pass),
                401, 20003, "Authenticate");
    std::string one = c.path;
    one.replace(one.find("Messages.json"), 13, "Messages/SM00000000000000000000000000000001.json");
    check_error(t.get(one, c.user, c.pass), 401, 20003, "Authenticate");
    check_error(t.del(one, c.user, c.pass), 401, 20003, "Authenticate");
    check_error(t.post(one, "Body=", c.user, c.pass), 401, 20003, "Authenticate");
  }
  // A malformed Authorization header.
  auto c = t.server->client();
  check_error(c->Get(kMessages.c_str(), {{"Authorization", "Basic !!!not-base64"}}), 401, 20003,
              "Authenticate");
  check_error(c->Get(kMessages.c_str(), {{"Authorization", "Bearer abc"}}), 401, 20003,
              "Authenticate");
  // Nothing was created by the refused requests.
  CHECK(body_of(t.get(kMessages))["messages"].size() == 2);
}

TEST_CASE("CreateMessage errors / in the contract's order", "[twilio][messages]") {
  Twilio t;
  struct Case {
    std::string body;
    int code;
    std::string message;
  };
  const Case cases[] = {
      {"", 21604, "A 'To' phone number is required."},
      {"From=%2B15557778888&Body=hi", 21604, "A 'To' phone number is required."},
      {"To=%2B15550001111&Body=hi", 21603, "A 'From' phone number is required."},
      {"To=%2B15550001111&From=%2B15557778888", 21602, "Message body is required."},
      {"To=5551234&From=%2B15557778888&Body=hi", 21211,
       "The 'To' number 5551234 is not a valid phone number."},
      {"To=%2B15550001111&From=HealthCo%21&Body=hi", 21212,
       "The 'From' number HealthCo! is not a valid phone number, shortcode, or alphanumeric "
       "sender ID."},
      {"To=%2B15550001111&From=%2B15557779999&Body=hi", 21606,  // AC2's number
       "The From phone number +15557779999 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"To=%2B15550001111&MessagingServiceSid=MG00000000000000000000000000000009&Body=hi", 21705,
       "The Messaging Service Sid MG00000000000000000000000000000009 is invalid."},
      {"To=%2B15550001111&From=%2B15557778888&Body=" + std::string(1601, 'a'), 21617,
       "The concatenated message body exceeds the 1600 character limit."},
  };
  for (const auto& c : cases) {
    INFO(c.body.substr(0, 80));
    check_error(t.post(kMessages, c.body), 400, c.code, c.message);
  }
  CHECK(body_of(t.get(kMessages))["messages"].empty());
}

TEST_CASE("CreateMessage: ContentSid and more than 10 MediaUrl are refused", "[twilio][messages]") {
  Twilio t;
  check_error(t.post(kMessages,
                     "To=%2B15550001111&From=%2B15557778888&ContentSid="
                     "HX00000000000000000000000000000001"),
              400, 21655, "The ContentSid is Invalid.");
  std::vector<common::Form::Field> fields{{"To", "+15550001111"}, {"From", kFrom}, {"Body", "x"}};
  for (int i = 0; i < 11; ++i) fields.emplace_back("MediaUrl", "https://e.x/" + std::to_string(i));
  check_error(t.post(kMessages, form(fields)), 400, 21623,
              "Number of media files exceeds allowed limit.");
  fields.pop_back();  // 10 is the limit
  auto ok = t.post(kMessages, form(fields));
  REQUIRE(ok);
  CHECK(ok->status == 201);
  CHECK(body_of(ok)["num_media"] == "10");
}

TEST_CASE("test credentials: magic numbers over HTTP and messages stay queued",
          "[twilio][messages]") {
  const auto dir = testing::temp_dir("twilio-test-account");
  const std::string path = dir + "/test_account.json";
  const std::string test_ac = "AC0000000000000000000000000000000f";
  auto doc = json::parse(testing::read_file(testing::fixture_path("default")), nullptr, true,
                         /*ignore_comments=*/true);
  doc["twilio"]["accounts"].push_back(
      {{"sid", test_ac}, {"auth_token", "test-token"}, {"test", true}});
  std::ofstream(path) << doc.dump();
  Twilio t(path);
  const std::string messages = "/2010-04-01/Accounts/" + test_ac + "/Messages.json";
  auto send = [&](const std::string& from, const std::string& to) {
    return t.post(messages, form({{"To", to}, {"From", from}, {"Body", "magic"}}), test_ac,
                  "test-token");
  };
  check_error(send("+15005550001", "+15550001111"), 400, 21212,
              "The 'From' number +15005550001 is not a valid phone number, shortcode, or "
              "alphanumeric sender ID.");
  check_error(send("+15005550008", "+15550001111"), 400, 21611,
              "This 'From' number has exceeded the maximum number of queued messages");
  check_error(send(kFrom, "+15550001111"), 400, 21606,
              "The From phone number +15557778888 is not a valid, SMS-capable inbound phone "
              "number or short code for your account.");
  check_error(send("+15005550006", "+15005550002"), 400, 21612,
              "The 'To' phone number: +15005550002, is not currently reachable using the 'From' "
              "phone number: +15005550006 via SMS.");
  check_error(send("+15005550006", "+15005550003"), 400, 21408,
              "Permission to send an SMS has not been enabled for the region indicated by the "
              "'To' number: +15005550003.");
  check_error(send("+15005550006", "+15005550004"), 400, 21610,
              "Attempt to send to unsubscribed recipient");
  check_error(send("+15005550006", "+15005550009"), 400, 21614,
              "'To' number is not a valid mobile number");
  auto ok = send("+15005550006", "+15550001111");
  REQUIRE(ok);
  REQUIRE(ok->status == 201);
  const std::string sid = body_of(ok)["sid"];
  const auto fetched = body_of(
      t.get(messages.substr(0, messages.size() - 5) + "/" + sid + ".json", test_ac, "test-token"));
  CHECK(fetched["status"] == "queued");
  CHECK(fetched["date_sent"].is_null());
  std::filesystem::remove_all(dir);
}

TEST_CASE("1600 emoji (~19 KB form-encoded) are accepted and 1601 are 21617",
          "[twilio][messages]") {
  Twilio t;
  std::string emoji;
  for (int i = 0; i < 1600; ++i) emoji += "\xF0\x9F\x98\x80";
  const auto body = form({{"To", "+15550001111"}, {"From", kFrom}, {"Body", emoji}});
  REQUIRE(body.size() > 19000);  // well past httplib's 8 KiB urlencoded limit
  auto res = t.post(kMessages, body);
  REQUIRE(res);
  REQUIRE(res->status == 201);
  const auto j = body_of(res);
  CHECK(j["body"] == emoji);
  CHECK(j["num_segments"] == "49");
  check_error(
      t.post(kMessages, form({{"To", "+15550001111"}, {"From", kFrom}, {"Body", emoji + "x"}})),
      400, 21617, "The concatenated message body exceeds the 1600 character limit.");
}

TEST_CASE("ListMessage: three pages via next_page_uri / newest first", "[twilio][list]") {
  Twilio t;
  std::vector<std::string> sids;
  for (int i = 0; i < 5; ++i) {
    sids.push_back(t.send("+15550001111", "m" + std::to_string(i))["sid"]);
    t.clock->advance(1s);
  }
  auto page0 = body_of(t.get(kMessages + "?PageSize=2"));
  CHECK(page0["page"] == 0);
  CHECK(page0["page_size"] == 2);
  CHECK(page0["start"] == 0);
  CHECK(page0["end"] == 1);
  CHECK(page0["previous_page_uri"].is_null());
  CHECK(page0["uri"] == kMessages + "?PageSize=2&Page=0");
  CHECK(page0["first_page_uri"] == kMessages + "?PageSize=2&Page=0");
  CHECK(page0["messages"][0]["sid"] == sids[4]);
  CHECK(page0["messages"][1]["sid"] == sids[3]);
  CHECK(page0["next_page_uri"] == kMessages + "?PageSize=2&Page=1&PageToken=PA" + sids[3]);

  auto page1 = body_of(t.get(page0["next_page_uri"].get<std::string>()));
  CHECK(page1["page"] == 1);
  CHECK(page1["start"] == 2);
  CHECK(page1["end"] == 3);
  CHECK(page1["messages"][0]["sid"] == sids[2]);
  CHECK(page1["messages"][1]["sid"] == sids[1]);
  CHECK(page1["previous_page_uri"] == kMessages + "?PageSize=2&Page=0&PageToken=PB" + sids[2]);

  auto page2 = body_of(t.get(page1["next_page_uri"].get<std::string>()));
  CHECK(page2["page"] == 2);
  CHECK(page2["start"] == 4);
  CHECK(page2["end"] == 4);
  REQUIRE(page2["messages"].size() == 1);
  CHECK(page2["messages"][0]["sid"] == sids[0]);
  CHECK(page2["next_page_uri"].is_null());

  // previous_page_uri leads back to the same items.
  auto back = body_of(t.get(page1["previous_page_uri"].get<std::string>()));
  REQUIRE(back["messages"].size() == 2);
  CHECK(back["messages"][0]["sid"] == sids[4]);
  CHECK(back["messages"][1]["sid"] == sids[3]);

  // Default page size, and the whole list.
  auto all = body_of(t.get(kMessages));
  CHECK(all["page_size"] == 50);
  CHECK(all["messages"].size() == 5);
  CHECK(all["next_page_uri"].is_null());
}

TEST_CASE("ListMessage filters: To / From / DateSent / DateSent< / DateSent>", "[twilio][list]") {
  Twilio t;
  // Sent on 2026-01-01, 01-02 and 01-03 (the manual clock starts at 2026-01-01T00:00:00Z).
  const auto a = t.send("+15550000001", "day1");
  t.clock->advance(24h + 3h);
  const auto b = t.send("+15550000002", "day2");
  t.clock->advance(24h);
  const auto c = t.send("+15550000001", "day3");
  auto sids = [&](const std::string& query) {
    std::vector<std::string> out;
    auto res = t.get(kMessages + query);
    REQUIRE(res);
    INFO(query << " -> " << res->body);
    REQUIRE(res->status == 200);
    const auto j = body_of(res);  // keep the document alive for the loop
    for (const auto& m : j["messages"]) out.push_back(m["sid"]);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(sids("?To=%2B15550000001") == V{c["sid"], a["sid"]});
  CHECK(sids("?To=5550000002") == V{b["sid"]});  // national form matches too
  CHECK(sids("?From=%2B15557778888").size() == 3);
  CHECK(sids("?From=%2B15550009999").empty());
  CHECK(sids("?DateSent=2026-01-02") == V{b["sid"]});
  CHECK(sids("?DateSent=2026-01-02T23:00:00Z") == V{b["sid"]});  // its calendar day
  CHECK(sids("?DateSent%3C=2026-01-02") == V{b["sid"], a["sid"]});
  CHECK(sids("?DateSent%3E=2026-01-02") == V{c["sid"], b["sid"]});
  CHECK(sids("?DateSent%3E=2026-01-02&DateSent%3C=2026-01-02") == V{b["sid"]});
  CHECK(sids("?To=%2B15550000001&DateSent%3E=2026-01-02") == V{c["sid"]});
  CHECK(sids("?DateSent=2025-12-31").empty());

  // Filters are echoed in the URIs, in Twilio's order, keys encoded.
  auto page = body_of(t.get(kMessages + "?PageSize=1&DateSent%3E=2026-01-01&To=%2B15550000001"));
  CHECK(page["uri"] == kMessages + "?To=%2B15550000001&DateSent%3E=2026-01-01&PageSize=1&Page=0");
  CHECK(page["next_page_uri"] == kMessages +
                                     "?To=%2B15550000001&DateSent%3E=2026-01-01&PageSize=1&Page=1&"
                                     "PageToken=PA" +
                                     c["sid"].get<std::string>());
  auto next = body_of(t.get(page["next_page_uri"].get<std::string>()));
  REQUIRE(next["messages"].size() == 1);
  CHECK(next["messages"][0]["sid"] == a["sid"]);
}

TEST_CASE("ListMessage parameter errors", "[twilio][list]") {
  Twilio t;
  check_error(t.get(kMessages + "?PageSize=0"), 400, 20001,
              "Invalid PageSize: '0' is not an integer from 1 to 1000");
  check_error(t.get(kMessages + "?PageSize=1001"), 400, 20001,
              "Invalid PageSize: '1001' is not an integer from 1 to 1000");
  check_error(t.get(kMessages + "?Page=x"), 400, 20001,
              "Invalid Page: 'x' is not a non-negative integer");
  check_error(t.get(kMessages + "?DateSent=yesterday"), 400, 20001,
              "Invalid DateSent: 'yesterday' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
  check_error(t.get(kMessages + "?PageToken=PAnope"), 400, 20001,
              "Invalid PageToken: 'PAnope' is not a valid page token");
  CHECK(body_of(t.get(kMessages + "?PageSize=1000"))["page_size"] == 1000);
}

TEST_CASE("UpdateMessage: redact / cancel / and refusals", "[twilio][update]") {
  Twilio t(write_fixture_with_messages());
  const auto sent = t.send("+15550001111", "secret text");
  const std::string sid = sent["sid"];
  t.clock->advance(10s);

  auto redacted = t.post(message_path(sid), "Body=");
  REQUIRE(redacted);
  CHECK(redacted->status == 200);
  const auto r = body_of(redacted);
  CHECK(r["body"] == "");
  CHECK(r["status"] == "delivered");
  CHECK(r["date_updated"] == "Thu, 01 Jan 2026 00:00:10 +0000");
  CHECK(body_of(t.get(message_path(sid)))["body"] == "");

  check_error(t.post(message_path(sid), "Status=canceled"), 400, 30409,
              "This message cannot be canceled");
  check_error(t.post(message_path("SM000000000000000000000000000000a1"), "Body="), 400, 20009,
              "Cannot redact this resource before it is complete");
  check_error(t.post(message_path(sid), "Body=rewritten"), 400, 20001,
              "Invalid Body: a message body can only be redacted (set to an empty string)");
  check_error(t.post(message_path(sid), "Status=sent"), 400, 20001,
              "Invalid Status: 'sent' is not one of canceled");
  check_error(t.post(message_path(sid), ""), 400, 20001,
              "Invalid request: Body or Status is required");

  auto canceled = t.post(message_path("SM000000000000000000000000000000a3"), "Status=canceled");
  REQUIRE(canceled);
  CHECK(canceled->status == 200);
  CHECK(body_of(canceled)["status"] == "canceled");
  CHECK(body_of(canceled)["date_sent"].is_null());

  const std::string missing = message_path("SM0000000000000000000000000000ffff");
  check_error(t.post(missing, "Body="), 404, 20404,
              "The requested resource " + missing + " was not found");
  // With the API key too.
  CHECK(t.post(message_path(sid), "Body=", kSk, kSecret)->status == 200);
}

TEST_CASE("DeleteMessage: 204 for final messages / 20009 before", "[twilio][delete]") {
  Twilio t(write_fixture_with_messages());
  const std::string sid = t.send("+15550001111", "bye")["sid"];
  auto res = t.del(message_path(sid));
  REQUIRE(res);
  CHECK(res->status == 204);
  CHECK(res->body.empty());
  check_error(t.get(message_path(sid)), 404, 20404,
              "The requested resource " + message_path(sid) + " was not found");
  check_error(t.del(message_path(sid)), 404, 20404,
              "The requested resource " + message_path(sid) + " was not found");
  for (const char* in_flight :
       {"SM000000000000000000000000000000a1", "SM000000000000000000000000000000a2",
        "SM000000000000000000000000000000a3"}) {
    check_error(t.del(message_path(in_flight)), 400, 20009,
                "Cannot delete this resource before it is complete");
    CHECK(body_of(t.get(message_path(in_flight)))["body"] == "in flight");
  }
}

TEST_CASE("FetchMessage: unknown / malformed or another account's SID is 20404",
          "[twilio][messages]") {
  Twilio t;
  const std::string sid = t.send("+15550001111", "mine")["sid"];
  for (const std::string& path : {message_path("SM0000000000000000000000000000dead"),
                                  message_path("nope"), message_path("SMzz")}) {
    check_error(t.get(path), 404, 20404, "The requested resource " + path + " was not found");
  }
  const std::string other = "/2010-04-01/Accounts/" + kAc2 + "/Messages/" + sid + ".json";
  check_error(t.get(other, kAc2, kToken2), 404, 20404,
              "The requested resource " + other + " was not found");
}

}  // namespace mock::twilio
