// The Messages rules without HTTP or SQL: an in-memory repository stands in for the store.
#include "mock_twilio/domain/messaging.hpp"

#include <algorithm>
#include <map>

#include <catch2/catch.hpp>

#include "mock_twilio/domain/test_doubles.hpp"

namespace mock::twilio {
namespace {

using namespace std::chrono_literals;

using testing::FakeRepository;
using testing::kAc1;
using testing::kAc2;
using testing::kAcTest;
using testing::kSk1;
using testing::RecordingSender;

struct World {
  FakeRepository repo;
  common::ManualClock clock;
  common::IdGenerator ids = common::IdGenerator::sequential();
  Lifecycle lifecycle{LifecycleSettings{Progression::kImmediate, {}}, clock};
  RecordingSender sender;
  StatusEngine engine{repo, lifecycle, sender, {}};
  Messaging messaging{repo, clock, ids, lifecycle, engine};
  Account ac1 = *repo.find_account(kAc1);

  Message seed(const std::string& sid, MessageStatus status) {
    Message m;
    m.sid = sid;
    m.account_sid = kAc1;
    m.from = "+15557778888";
    m.to = "+15550001111";
    m.body = "seeded";
    m.status = status;
    m.date_created = m.date_updated = clock.now();
    repo.insert_message(m);
    return m;
  }
};

CreateMessageRequest valid_request() {
  CreateMessageRequest r;
  r.to = "+15550001111";
  r.from = "+15557778888";
  r.body = "hello";
  return r;
}

void check_error(const ApiError& e, int status, int code, const std::string& message) {
  CHECK(e.http_status == status);
  CHECK(e.code == code);
  CHECK(e.message == message);
}

}  // namespace

TEST_CASE("authenticate: auth token or API key of the path account", "[twilio][messaging]") {
  World w;
  CHECK(w.messaging.authenticate(Credentials{kAc1, "token1"}, kAc1)->sid == kAc1);
  CHECK(w.messaging.authenticate(Credentials{kSk1, "secret1"}, kAc1)->sid == kAc1);
  struct Case {
    std::optional<Credentials> creds;
    std::string path;
  };
  const Case refused[] = {
      {std::nullopt, kAc1},
      {Credentials{kAc1, "wrong"}, kAc1},
      {Credentials{kAc1, ""}, kAc1},
      {Credentials{kAc2, "token2"}, kAc1},   // another account's valid credentials
      {Credentials{kSk1, "secret1"}, kAc2},  // key of another account
      {Credentials{kSk1, "token1"}, kAc1},
      {Credentials{"SK99999999999999999999999999999999", "x"}, kAc1},
      {Credentials{"bob", "token1"}, kAc1},
      {Credentials{kAc1, "token1"}, "null"},  // malformed path account: 401, auth first
  };
  for (const auto& c : refused) {
    auto r = w.messaging.authenticate(c.creds, c.path);
    REQUIRE_FALSE(r);
    check_error(r.error(), 401, 20003, "Authenticate");
  }
}

TEST_CASE("create_message: queued in the response / delivered in the store",
          "[twilio][messaging]") {
  World w;
  auto r = valid_request();
  r.to = "5550001111";  // national: read as US
  auto m = w.messaging.create_message(w.ac1, r);
  REQUIRE(m);
  CHECK(m->sid == "SM00000000000000000000000000000001");
  CHECK(m->to == "+15550001111");
  CHECK(m->status == MessageStatus::kQueued);
  CHECK_FALSE(m->date_sent);
  CHECK_FALSE(m->price);
  CHECK(m->num_segments == 1);
  // Immediate mode: the steps due at creation are taken before the row is stored, so the
  // first read sees the final status with no pass of the worker.
  const auto stored = *w.repo.find_message(kAc1, m->sid);
  CHECK(stored.status == MessageStatus::kDelivered);
  CHECK(stored.date_sent == w.clock.now());
  CHECK(stored.price == "-0.00790");
  CHECK(stored.price_unit == "USD");
}

TEST_CASE("create_message: price is per segment and MMS gets an MM SID", "[twilio][messaging]") {
  World w;
  auto r = valid_request();
  r.body = std::string(161, 'a');
  auto m = w.messaging.create_message(w.ac1, r);
  REQUIRE(m);
  CHECK(m->num_segments == 2);
  w.engine.run_due();
  CHECK(w.repo.find_message(kAc1, m->sid)->price == "-0.01580");
  r.body.reset();
  r.media_urls = {"https://e.x/a.png", "https://e.x/b.png"};
  auto mms = w.messaging.create_message(w.ac1, r);
  REQUIRE(mms);
  CHECK(mms->sid.starts_with("MM"));
  CHECK(mms->num_media == 2);
  CHECK(price_for_segments(48) == "-0.37920");
}

TEST_CASE("create_message: validation order and every error", "[twilio][messaging]") {
  World w;
  struct Case {
    const char* name;
    CreateMessageRequest request;
    int code;
    std::string message;
  };
  auto with = [](auto fn) {
    auto r = valid_request();
    fn(r);
    return r;
  };
  const Case cases[] = {
      {"nothing at all: To first", CreateMessageRequest{}, 21604,
       "A 'To' phone number is required."},
      {"empty To", with([](auto& r) { r.to = ""; }), 21604, "A 'To' phone number is required."},
      {"no From (and a bad To)", with([](auto& r) {
         r.from.reset();
         r.to = "x";
       }),
       21603, "A 'From' phone number is required."},
      {"no Body (and a bad To)", with([](auto& r) {
         r.body.reset();
         r.to = "x";
       }),
       21602, "Message body is required."},
      {"empty Body", with([](auto& r) { r.body = ""; }), 21602, "Message body is required."},
      {"bad To before bad From", with([](auto& r) {
         r.to = "12";
         r.from = "x";
       }),
       21211, "The 'To' number 12 is not a valid phone number."},
      {"bad From", with([](auto& r) { r.from = "abc"; }), 21212,
       "The 'From' number abc is not a valid phone number, shortcode, or alphanumeric sender "
       "ID."},
      {"From not owned", with([](auto& r) { r.from = "+15557779999"; }), 21606,
       "The From phone number +15557779999 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"From owned but not SMS-capable", with([](auto& r) { r.from = "+15557770000"; }), 21606,
       "The From phone number +15557770000 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"Messaging Service", with([](auto& r) {
         r.from.reset();
         r.messaging_service_sid = "MG00000000000000000000000000000001";
       }),
       21705, "The Messaging Service Sid MG00000000000000000000000000000001 is invalid."},
      {"ContentSid", with([](auto& r) {
         r.body.reset();
         r.content_sid = "HX00000000000000000000000000000001";
       }),
       21655, "The ContentSid is Invalid."},
      {"11 media", with([](auto& r) { r.media_urls.assign(11, "https://e.x/a.png"); }), 21623,
       "Number of media files exceeds allowed limit."},
      {"1,601 characters", with([](auto& r) { r.body = std::string(1601, 'a'); }), 21617,
       "The concatenated message body exceeds the 1600 character limit."},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto m = w.messaging.create_message(w.ac1, c.request);
    REQUIRE_FALSE(m);
    check_error(m.error(), 400, c.code, c.message);
  }
  CHECK(w.repo.messages_.empty());  // nothing stored by a refused request

  std::string emoji1600;
  for (int i = 0; i < 1600; ++i) emoji1600 += "\xF0\x9F\x98\x80";
  auto ok = w.messaging.create_message(w.ac1, with([&](auto& r) { r.body = emoji1600; }));
  REQUIRE(ok);
  CHECK(ok->num_segments == 49);
  auto too_long =
      w.messaging.create_message(w.ac1, with([&](auto& r) { r.body = emoji1600 + "a"; }));
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == 21617);
}

TEST_CASE("create_message: test credentials use magic numbers and never progress",
          "[twilio][messaging]") {
  World w;
  const Account test = *w.repo.find_account(kAcTest);
  auto req = [](const char* from, const char* to) {
    CreateMessageRequest r;
    r.from = from;
    r.to = to;
    r.body = "magic";
    return r;
  };
  struct Case {
    const char* from;
    const char* to;
    int code;
    std::string message;
  };
  const Case cases[] = {
      {"+15005550001", "+15550001111", 21212,
       "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric "
       "sender ID."},
      {"+15005550007", "+15550001111", 21606,
       "The From phone number +15005550007 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"+15557778888", "+15550001111", 21606,
       "The From phone number +15557778888 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {"+15005550008", "+15550001111", 21611,
       "This 'From' number has exceeded the maximum number of queued messages"},
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
    auto m = w.messaging.create_message(test, req(c.from, c.to));
    REQUIRE_FALSE(m);
    check_error(m.error(), 400, c.code, c.message);
  }
  auto ok = w.messaging.create_message(test, req("+15005550006", "+15550001111"));
  REQUIRE(ok);
  CHECK(w.repo.find_message(kAcTest, ok->sid)->status == MessageStatus::kQueued);
}

TEST_CASE("update_message: redact / cancel and their refusals", "[twilio][messaging]") {
  World w;
  const std::string path = "/p";
  const auto delivered = w.seed("SM000000000000000000000000000000d1", MessageStatus::kDelivered);
  const auto queued = w.seed("SM000000000000000000000000000000a1", MessageStatus::kQueued);
  const auto scheduled = w.seed("SM000000000000000000000000000000c1", MessageStatus::kScheduled);
  w.clock.advance(60s);

  auto redacted = w.messaging.update_message(w.ac1, delivered.sid, {std::string(), {}}, path);
  REQUIRE(redacted);
  CHECK(redacted->body.empty());
  CHECK(redacted->date_updated == w.clock.now());
  CHECK(w.repo.find_message(kAc1, delivered.sid)->body.empty());

  auto early = w.messaging.update_message(w.ac1, queued.sid, {std::string(), {}}, path);
  REQUIRE_FALSE(early);
  check_error(early.error(), 400, 20009, "Cannot redact this resource before it is complete");

  auto not_cancelable =
      w.messaging.update_message(w.ac1, queued.sid, {{}, std::string("canceled")}, path);
  REQUIRE_FALSE(not_cancelable);
  check_error(not_cancelable.error(), 400, 30409, "This message cannot be canceled");

  auto canceled =
      w.messaging.update_message(w.ac1, scheduled.sid, {{}, std::string("canceled")}, path);
  REQUIRE(canceled);
  CHECK(canceled->status == MessageStatus::kCanceled);
  CHECK_FALSE(canceled->date_sent);

  auto bad_status = w.messaging.update_message(w.ac1, queued.sid, {{}, std::string("sent")}, path);
  REQUIRE_FALSE(bad_status);
  check_error(bad_status.error(), 400, 20001, "Invalid Status: 'sent' is not one of canceled");

  auto rewrite = w.messaging.update_message(w.ac1, delivered.sid, {std::string("new"), {}}, path);
  REQUIRE_FALSE(rewrite);
  check_error(rewrite.error(), 400, 20001,
              "Invalid Body: a message body can only be redacted (set to an empty string)");

  auto nothing = w.messaging.update_message(w.ac1, delivered.sid, {}, path);
  REQUIRE_FALSE(nothing);
  check_error(nothing.error(), 400, 20001, "Invalid request: Body or Status is required");

  auto missing = w.messaging.update_message(w.ac1, "SM404", {std::string(), {}}, "/x/SM404.json");
  REQUIRE_FALSE(missing);
  check_error(missing.error(), 404, 20404, "The requested resource /x/SM404.json was not found");

  World other;
  auto foreign = other.messaging.update_message(*other.repo.find_account(kAc2), delivered.sid,
                                                {std::string(), {}}, "/y");
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().code == 20404);
}

TEST_CASE("delete_message: only final messages", "[twilio][messaging]") {
  World w;
  for (auto status :
       {MessageStatus::kQueued, MessageStatus::kSending, MessageStatus::kSent,
        MessageStatus::kAccepted, MessageStatus::kScheduled, MessageStatus::kReceiving}) {
    const auto m = w.seed(
        "SM0000000000000000000000000000" + std::string(to_string(status)).substr(0, 4), status);
    auto r = w.messaging.delete_message(w.ac1, m.sid, "/p");
    REQUIRE_FALSE(r);
    check_error(r.error(), 400, 20009, "Cannot delete this resource before it is complete");
  }
  const auto done = w.seed("SM000000000000000000000000000000d1", MessageStatus::kUndelivered);
  REQUIRE(w.messaging.delete_message(w.ac1, done.sid, "/p"));
  CHECK_FALSE(w.repo.find_message(kAc1, done.sid));
  auto again = w.messaging.delete_message(w.ac1, done.sid, "/p");
  REQUIRE_FALSE(again);
  check_error(again.error(), 404, 20404, "The requested resource /p was not found");
}

TEST_CASE("list_message: parameter validation", "[twilio][messaging]") {
  World w;
  struct Case {
    ListMessageRequest request;
    std::string message;
  };
  auto with = [](auto fn) {
    ListMessageRequest r;
    fn(r);
    return r;
  };
  const Case cases[] = {
      {with([](auto& r) { r.page_size = "0"; }),
       "Invalid PageSize: '0' is not an integer from 1 to 1000"},
      {with([](auto& r) { r.page_size = "1001"; }),
       "Invalid PageSize: '1001' is not an integer from 1 to 1000"},
      {with([](auto& r) { r.page_size = "ten"; }),
       "Invalid PageSize: 'ten' is not an integer from 1 to 1000"},
      {with([](auto& r) { r.page = "-1"; }), "Invalid Page: '-1' is not a non-negative integer"},
      {with([](auto& r) { r.date_sent = "2026-13-01"; }),
       "Invalid DateSent: '2026-13-01' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"},
      {with([](auto& r) { r.date_sent_after = "06/11/2019"; }),
       "Invalid DateSent>: '06/11/2019' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"},
      {with([](auto& r) { r.page_token = "PAnope"; }),
       "Invalid PageToken: 'PAnope' is not a valid page token"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    auto r = w.messaging.list_message(w.ac1, c.request);
    REQUIRE_FALSE(r);
    check_error(r.error(), 400, 20001, c.message);
  }
  auto defaults = w.messaging.list_message(w.ac1, {});
  REQUIRE(defaults);
  CHECK(defaults->page_size == 50);
  CHECK(defaults->page == 0);
  CHECK_FALSE(defaults->next_page_token);
}

TEST_CASE("DateSent values: a calendar day (GMT)", "[twilio][messaging]") {
  const auto day = parse_date_sent_day("2026-01-02");
  REQUIRE(day);
  CHECK(parse_date_sent_day("2026-01-02T23:59:59Z") == day);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(day->time_since_epoch()).count() ==
        1767312000);
  CHECK_FALSE(parse_date_sent_day("2026-02-30"));
  CHECK_FALSE(parse_date_sent_day("2026-01-02T24:00:00Z"));
  CHECK_FALSE(parse_date_sent_day("2026-01-02 10:00:00"));
  CHECK_FALSE(parse_date_sent_day(""));
}

}  // namespace mock::twilio
