// The state machine (transition table, modes, step delays) and the StatusEngine (callbacks,
// retries, delay/duplicate/reorder, manual advance), without threads, HTTP or SQL.
#include "mock_twilio/domain/lifecycle.hpp"

#include <catch2/catch.hpp>

#include "mock_twilio/domain/messaging.hpp"
#include "mock_twilio/domain/status_engine.hpp"
#include "mock_twilio/domain/test_doubles.hpp"

namespace mock::twilio {
namespace {

using namespace std::chrono_literals;
using S = MessageStatus;
using testing::kAc1;
using testing::kAcTest;

struct World {
  explicit World(Progression mode = Progression::kTimed) : lifecycle({mode, {}}, clock) {
    repo.numbers_.push_back(
        PhoneNumber{"PN3", kAc1, "+15557771111", true, {}, std::string("http://cb/number")});
    repo.services_.push_back(MessagingService{
        "MG1", kAc1, "svc", {"+15557778888"}, std::string("http://cb/service"), {}});
  }
  testing::FakeRepository repo;
  common::ManualClock clock;
  common::IdGenerator ids = common::IdGenerator::sequential();
  Lifecycle lifecycle;
  testing::RecordingSender sender;
  StatusEngine engine{repo, lifecycle, sender, CallbackOptions{}};
  Messaging messaging{repo, clock, ids, lifecycle, engine};

  Message send(const std::string& to, std::optional<std::string> callback = "http://cb/s",
               const std::string& account = kAc1) {
    CreateMessageRequest r;
    r.to = to;
    r.from = account == kAc1 ? "+15557778888" : "+15005550006";
    r.body = "hi";
    r.status_callback = std::move(callback);
    auto m = messaging.create_message(*repo.find_account(account), r);
    REQUIRE(m);
    return *m;
  }
  // A create through Messaging Service `service` (no From: the pool picks the sender).
  Message send_via(const std::string& service, const std::string& body) {
    CreateMessageRequest r;
    r.to = "+15550001111";
    r.messaging_service_sid = service;
    r.body = body;
    auto m = messaging.create_message(*repo.find_account(kAc1), r);
    REQUIRE(m);
    return *m;
  }
  std::vector<std::string> callback_statuses() {
    std::vector<std::string> out;
    for (const auto& req : sender.requests) {
      for (const auto& [k, v] : req.params) {
        if (k == "MessageStatus") out.push_back(v);
      }
    }
    return out;
  }
  S status(const std::string& sid) { return repo.find_message_by_sid(sid)->status; }
};

}  // namespace

TEST_CASE("transition table: every automatic edge", "[twilio][lifecycle]") {
  struct Case {
    S from;
    Outcome outcome;
    std::optional<S> to;
  };
  const Case cases[] = {
      {S::kScheduled, Outcome::kDelivered, S::kQueued},
      {S::kAccepted, Outcome::kDelivered, S::kQueued},
      {S::kQueued, Outcome::kDelivered, S::kSending},
      {S::kQueued, Outcome::kUndelivered, S::kSending},
      {S::kQueued, Outcome::kFailed, S::kFailed},
      {S::kSending, Outcome::kFailed, S::kSent},
      {S::kSent, Outcome::kDelivered, S::kDelivered},
      {S::kSent, Outcome::kUndelivered, S::kUndelivered},
      {S::kDelivered, Outcome::kDelivered, std::nullopt},
      {S::kUndelivered, Outcome::kUndelivered, std::nullopt},
      {S::kFailed, Outcome::kFailed, std::nullopt},
      {S::kCanceled, Outcome::kDelivered, std::nullopt},
      {S::kReceived, Outcome::kDelivered, std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(to_string(c.from));
    CHECK(next_status(c.from, c.outcome) == c.to);
  }
  CHECK(transition_table().size() == 7);
}

TEST_CASE("modes and step delays parse", "[twilio][lifecycle]") {
  CHECK(parse_progression("immediate") == Progression::kImmediate);
  CHECK(parse_progression("timed") == Progression::kTimed);
  CHECK(parse_progression("manual") == Progression::kManual);
  CHECK_FALSE(parse_progression("time"));
  auto d = parse_step_delays("sent=5000,queued=0", StepDelays{});
  REQUIRE(d);
  CHECK(d->sent == 5000ms);
  CHECK(d->queued == 0ms);
  CHECK(d->accepted == 1000ms);
  for (const char* bad : {"sent", "sent=", "sent=-1", "bogus=1", "sent=1x", "sent=99999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_step_delays(bad, StepDelays{}));
  }
}

TEST_CASE("timed mode: each status waits its delay; callbacks in order", "[twilio][lifecycle]") {
  World w;
  const auto m = w.send("+15550001111");
  CHECK(m.status == S::kQueued);
  CHECK(m.next_at == w.clock.now() + 1s);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kQueued);  // nothing due yet
  w.clock.advance(1s);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kSending);
  w.clock.advance(1s);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kSent);
  CHECK(w.repo.find_message_by_sid(m.sid)->date_sent == w.clock.now());
  w.clock.advance(2s);
  w.engine.run_due();
  const auto done = *w.repo.find_message_by_sid(m.sid);
  CHECK(done.status == S::kDelivered);
  CHECK_FALSE(done.next_at);
  CHECK(w.callback_statuses() == std::vector<std::string>{"sending", "sent", "delivered"});
  // Every callback: Twilio's parameters, signed with the account's token, a token each.
  const auto& last = w.sender.requests.back();
  CHECK(last.url == "http://cb/s");
  CHECK(last.params == status_callback_params(done));
  CHECK(last.signature == twilio_signature("token1", "http://cb/s", last.params));
  CHECK(last.idempotency_token != w.sender.requests.front().idempotency_token);
  const auto log = w.repo.list_callbacks(m.sid);
  REQUIRE(log.size() == 3);
  CHECK(log[2].state == CallbackState::kDelivered);
  CHECK(log[2].response_code == 200);
}

TEST_CASE("immediate mode: a message takes every step at its create; the worker sends callbacks",
          "[twilio][lifecycle]") {
  // The create takes every step due by now before the row is stored (one write per message),
  // its callbacks queued step by step after it; the worker only sends them, message by
  // message, each in queued -> sending -> sent -> delivered order.
  World w(Progression::kImmediate);
  const auto a = w.send("+15550001111", "http://cb/a");
  const auto b = w.send("+15550001112", "http://cb/b");
  const auto failed = w.send("+15550100011", "http://cb/f");
  CHECK(a.status == S::kQueued);  // the create's response
  CHECK(w.status(a.sid) == S::kDelivered);
  CHECK(w.status(b.sid) == S::kDelivered);
  CHECK(w.status(failed.sid) == S::kFailed);
  CHECK(w.repo.find_message_by_sid(a.sid)->date_sent == w.clock.now());
  CHECK(w.sender.requests.empty());  // nothing is sent on the request thread
  REQUIRE(w.repo.list_callbacks(a.sid).size() == 3);
  CHECK(w.repo.list_callbacks(a.sid)[0].state == CallbackState::kPending);
  CHECK(w.engine.run_due());
  std::vector<std::string> order;
  for (const auto& req : w.sender.requests) {
    for (const auto& [k, v] : req.params) {
      if (k == "MessageStatus") order.push_back(req.url + " " + v);
    }
  }
  CHECK(order == std::vector<std::string>{"http://cb/a sending", "http://cb/a sent",
                                          "http://cb/a delivered", "http://cb/b sending",
                                          "http://cb/b sent", "http://cb/b delivered",
                                          "http://cb/f failed"});
  CHECK_FALSE(w.repo.find_message_by_sid(a.sid)->next_at);
  CHECK_FALSE(w.engine.run_due());  // nothing left
}

TEST_CASE("zero step delays: steps due at creation are taken there, later ones by the worker",
          "[twilio][lifecycle]") {
  // Timed mode with queued and sending delays of 0: queued -> sending -> sent at the create,
  // sent -> delivered after its 2 s on the worker; callbacks in order across the two.
  World w;
  w.lifecycle.set_settings({Progression::kTimed, {1s, 0s, 0s, 2s}});
  const auto m = w.send("+15550001111");
  CHECK(m.status == S::kQueued);
  const auto sent = *w.repo.find_message_by_sid(m.sid);
  CHECK(sent.status == S::kSent);
  CHECK(sent.next_at == w.clock.now() + 2s);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kSent);
  w.clock.advance(2s);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kDelivered);
  CHECK(w.callback_statuses() == std::vector<std::string>{"sending", "sent", "delivered"});
}

TEST_CASE("timed mode: a jump of the clock runs the whole chain at the scheduled times",
          "[twilio][lifecycle]") {
  World w;
  const auto t0 = w.clock.now();
  const auto m = w.send("+15550001111");
  w.clock.advance(60s);
  w.engine.run_due();
  const auto done = *w.repo.find_message_by_sid(m.sid);
  CHECK(done.status == S::kDelivered);
  CHECK(done.date_sent == t0 + 2s);
  CHECK(done.date_updated == t0 + 4s);
  CHECK(w.callback_statuses() == std::vector<std::string>{"sending", "sent", "delivered"});
}

TEST_CASE("reserved numbers: undelivered / failed with their code, delayed delivery",
          "[twilio][lifecycle]") {
  World w(Progression::kImmediate);
  const auto undelivered = w.send("+15550100001");
  const auto failed = w.send("+15550100011");
  w.engine.run_due();
  auto u = *w.repo.find_message_by_sid(undelivered.sid);
  CHECK(u.status == S::kUndelivered);
  CHECK(u.error_code == 30003);
  CHECK(u.error_message == "Unreachable destination handset");
  auto f = *w.repo.find_message_by_sid(failed.sid);
  CHECK(f.status == S::kFailed);
  CHECK(f.error_code == 30001);
  CHECK(f.error_message == "Queue overflow");
  CHECK_FALSE(f.date_sent);
  CHECK_FALSE(f.price);
  // The failed callback carries ErrorCode and ErrorMessage.
  const auto has = [&](const Params::value_type& p) {
    return std::any_of(w.sender.requests.begin(), w.sender.requests.end(), [&](const auto& r) {
      return std::find(r.params.begin(), r.params.end(), p) != r.params.end();
    });
  };
  CHECK(has({"ErrorCode", "30001"}));
  CHECK(has({"ErrorMessage", "Queue overflow"}));
  CHECK(has({"ErrorCode", "30003"}));

  World t;
  const auto slow = t.send("+15550100021");
  t.clock.advance(4s);
  t.engine.run_due();
  CHECK(t.status(slow.sid) == S::kSent);
  t.clock.advance(59s);
  t.engine.run_due();
  CHECK(t.status(slow.sid) == S::kSent);
  t.clock.advance(1s);
  t.engine.run_due();
  CHECK(t.status(slow.sid) == S::kDelivered);
}

TEST_CASE("test accounts never move and never call back", "[twilio][lifecycle]") {
  World w(Progression::kImmediate);
  const auto m = w.send("+15550001111", "http://cb/s", kAcTest);
  CHECK_FALSE(m.next_at);
  w.clock.advance(1h);
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kQueued);
  auto advanced = w.engine.advance(m.sid, S::kDelivered, std::nullopt, "/p");
  REQUIRE(advanced);
  CHECK(w.sender.requests.empty());
}

TEST_CASE("callback URL: message, else service, else the From number", "[twilio][lifecycle]") {
  World w(Progression::kImmediate);
  w.send("+15550001111", std::nullopt);  // From +15557778888 has no status_callback
  w.engine.run_due();
  CHECK(w.sender.requests.empty());
  const auto svc = w.send_via("MG1", "svc");
  CHECK(svc.status == S::kAccepted);
  CHECK_FALSE(svc.from);
  CHECK(svc.num_segments == 0);
  CHECK(w.repo.find_message_by_sid(svc.sid)->from == "+15557778888");  // picked at the create
  w.engine.run_due();
  REQUIRE(w.sender.requests.size() == 4);  // queued, sending, sent, delivered
  CHECK(w.sender.requests[0].url == "http://cb/service");
  CHECK(w.callback_statuses() ==
        std::vector<std::string>{"queued", "sending", "sent", "delivered"});
  const auto done = *w.repo.find_message_by_sid(svc.sid);
  CHECK(done.from == "+15557778888");
  CHECK(done.num_segments == 1);
  CHECK(std::find(w.sender.requests[0].params.begin(), w.sender.requests[0].params.end(),
                  Params::value_type{"MessagingServiceSid", "MG1"}) !=
        w.sender.requests[0].params.end());
  CreateMessageRequest r;
  r.to = "+15550001111";
  r.from = "+15557771111";
  r.body = "svc";
  w.messaging.create_message(*w.repo.find_account(kAc1), r);
  w.engine.run_due();
  CHECK(w.sender.requests.back().url == "http://cb/number");
}

TEST_CASE("a pool's sender picked at the first step: its number's status_callback",
          "[twilio][lifecycle]") {
  // A Messaging Service without a status_callback, its one sender a number with one: the
  // sender appears at the create's first step, and every step's callback goes to the number.
  World w(Progression::kImmediate);
  w.repo.services_.push_back(MessagingService{"MG2", kAc1, "pool", {"+15557771111"}, {}, {}});
  CHECK_FALSE(w.send_via("MG2", "pool").from);
  w.engine.run_due();
  REQUIRE(w.sender.requests.size() == 4);
  for (const auto& req : w.sender.requests) CHECK(req.url == "http://cb/number");
  CHECK(w.callback_statuses() ==
        std::vector<std::string>{"queued", "sending", "sent", "delivered"});
}

TEST_CASE("an immediate create decides its callbacks once", "[twilio][lifecycle]") {
  // With the sender known, the account and the From number are looked up once for all the
  // create's steps (they were looked up per step: 3 steps, 3 + 3 lookups), with or without a
  // callback URL.
  World w(Progression::kImmediate);
  for (const bool with_url : {false, true}) {
    const int accounts = w.repo.account_lookups_;
    const int numbers = w.repo.number_lookups_;
    const auto m =
        w.send("+15550001111", with_url ? std::optional<std::string>("http://cb/x") : std::nullopt);
    CHECK(w.status(m.sid) == S::kDelivered);
    CHECK(w.repo.account_lookups_ - accounts == 2);  // the test's own, and the engine's
    CHECK(w.repo.number_lookups_ - numbers == (with_url ? 1 : 2));  // the create's From check
    CHECK(w.repo.list_callbacks(m.sid).size() == (with_url ? 3U : 0U));
  }
}

TEST_CASE("retries: failed attempts are logged and retried with backoff", "[twilio][callbacks]") {
  World w(Progression::kManual);
  const auto m = w.send("+15550001111");
  w.sender.responses = {WebhookResponse{500, "", "", "", 3ms},
                        WebhookResponse{std::nullopt, "", "", "connection failed", 1ms}};
  REQUIRE(w.engine.advance(m.sid, std::nullopt, std::nullopt, "/p"));
  w.engine.run_due();
  w.clock.advance(999ms);
  w.engine.run_due();
  CHECK(w.sender.requests.size() == 1);
  w.clock.advance(1ms);  // backoff 1 s
  w.engine.run_due();
  CHECK(w.sender.requests.size() == 2);
  w.clock.advance(2s);  // then 2 s
  w.engine.run_due();
  REQUIRE(w.sender.requests.size() == 3);
  const auto log = w.repo.list_callbacks(m.sid);
  REQUIRE(log.size() == 3);
  CHECK(log[0].state == CallbackState::kFailed);
  CHECK(log[0].response_code == 500);
  CHECK(log[0].error == "HTTP 500");
  CHECK(log[0].latency_ms == 3);
  CHECK(log[1].state == CallbackState::kFailed);
  CHECK_FALSE(log[1].response_code);
  CHECK(log[1].error == "connection failed");
  CHECK(log[2].state == CallbackState::kDelivered);
  CHECK(log[2].attempt == 3);
  CHECK(log[2].idempotency_token == log[0].idempotency_token);

  // max_attempts = 1: no retry.
  auto o = w.engine.callback_options();
  o.max_attempts = 1;
  w.engine.set_callback_options(o);
  w.sender.responses = {WebhookResponse{503, "", "", "", 1ms}};
  REQUIRE(w.engine.advance(m.sid, std::nullopt, std::nullopt, "/p"));
  w.engine.run_due();
  w.clock.advance(1h);
  w.engine.run_due();
  CHECK(w.repo.list_callbacks(m.sid).size() == 4);
}

TEST_CASE("callback options: delay, duplicate, reorder", "[twilio][callbacks]") {
  World w(Progression::kImmediate);
  CallbackOptions o;
  o.delay = 10s;
  o.duplicate = true;
  o.reorder = true;
  w.engine.set_callback_options(o);
  const auto m = w.send("+15550001111");
  w.engine.run_due();
  CHECK(w.status(m.sid) == S::kDelivered);
  CHECK(w.sender.requests.empty());  // delayed
  w.clock.advance(10s);
  w.engine.run_due();
  // Newest first, each twice with the same idempotency token.
  CHECK(w.callback_statuses() ==
        std::vector<std::string>{"delivered", "delivered", "sent", "sent", "sending", "sending"});
  CHECK(w.sender.requests[0].idempotency_token == w.sender.requests[1].idempotency_token);
  const auto log = w.repo.list_callbacks(m.sid);
  CHECK(std::count_if(log.begin(), log.end(), [](const auto& a) { return a.duplicate; }) == 3);
}

TEST_CASE("manual mode: advance steps, or sets any status", "[twilio][lifecycle]") {
  World w(Progression::kManual);
  const auto m = w.send("+15550001111");
  CHECK_FALSE(m.next_at);
  auto a = w.engine.advance(m.sid, std::nullopt, std::nullopt, "/p");
  REQUIRE(a);
  CHECK(a->status == S::kSending);
  auto b = w.engine.advance(m.sid, S::kUndelivered, 30005, "/p");
  REQUIRE(b);
  CHECK(b->status == S::kUndelivered);
  CHECK(b->error_code == 30005);
  CHECK(b->error_message == "Unknown destination handset");
  auto none = w.engine.advance(m.sid, std::nullopt, std::nullopt, "/p");
  REQUIRE_FALSE(none);
  CHECK(none.error().code == 20001);
  CHECK(none.error().message ==
        "Invalid status: message " + m.sid + " is undelivered and has no next status");
  auto bad_code = w.engine.advance(m.sid, S::kFailed, 21211, "/p");
  REQUIRE_FALSE(bad_code);
  CHECK(bad_code.error().message ==
        "Invalid error_code: 21211 is not a delivery error code (30001-30010)");
  auto code_without_error = w.engine.advance(m.sid, S::kSent, 30003, "/p");
  REQUIRE_FALSE(code_without_error);
  CHECK(code_without_error.error().message ==
        "Invalid error_code: only with status failed or undelivered");
  auto unknown = w.engine.advance("SMnope", std::nullopt, std::nullopt, "/x/SMnope");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().http_status == 404);
  CHECK(unknown.error().message == "The requested resource /x/SMnope was not found");
  w.engine.run_due();
  CHECK(w.callback_statuses() == std::vector<std::string>{"sending", "undelivered"});
}

TEST_CASE("scheduled sends wait for SendAt; cancel fires a callback", "[twilio][lifecycle]") {
  World w;
  CreateMessageRequest r;
  r.to = "+15550001111";
  r.messaging_service_sid = "MG1";
  r.body = "later";
  r.schedule_type = "fixed";
  r.send_at = "2026-01-01T01:00:00Z";  // the clock starts at 2026-01-01T00:00:00Z
  auto m = w.messaging.create_message(*w.repo.find_account(kAc1), r);
  REQUIRE(m);
  CHECK(m->status == S::kScheduled);
  CHECK(m->num_segments == 0);
  w.clock.advance(59min);
  w.engine.run_due();
  CHECK(w.status(m->sid) == S::kScheduled);
  w.clock.advance(1min);
  w.engine.run_due();
  CHECK(w.status(m->sid) == S::kQueued);
  CHECK(w.callback_statuses() == std::vector<std::string>{"queued"});

  auto later = w.messaging.create_message(*w.repo.find_account(kAc1), [&] {
    auto c = r;
    c.send_at = "2026-01-02T00:00:00Z";
    return c;
  }());
  REQUIRE(later);
  auto canceled = w.messaging.update_message(*w.repo.find_account(kAc1), later->sid,
                                             {std::nullopt, std::string("canceled")}, "/p");
  REQUIRE(canceled);
  CHECK(canceled->status == S::kCanceled);
  CHECK_FALSE(canceled->next_at);
  w.engine.run_due();
  CHECK(w.callback_statuses() == std::vector<std::string>{"queued", "canceled"});
  w.clock.advance(48h);
  w.engine.run_due();
  CHECK(w.status(later->sid) == S::kCanceled);
}

TEST_CASE("scheduling errors: 35115, 35118, 35111, 35114", "[twilio][lifecycle]") {
  World w;
  auto base = [] {
    CreateMessageRequest r;
    r.to = "+15550001111";
    r.messaging_service_sid = "MG1";
    r.body = "later";
    r.schedule_type = "fixed";
    r.send_at = "2026-01-01T01:00:00Z";
    return r;
  };
  struct Case {
    const char* name;
    CreateMessageRequest request;
    int code;
    std::string message;
  };
  std::vector<Case> cases;
  auto c = base();
  c.schedule_type = "daily";
  cases.push_back({"type", c, 35115, "ScheduleType 'daily' is not supported (only fixed)"});
  c = base();
  c.messaging_service_sid.reset();
  c.from = "+15557778888";
  cases.push_back(
      {"no service", c, 35118, "MessagingServiceSid is required to schedule a message"});
  c = base();
  c.send_at.reset();
  cases.push_back({"no SendAt", c, 35111, "SendAt is required when ScheduleType is fixed"});
  for (const char* at :
       {"2026-01-01T00:14:59Z", "2026-02-05T00:00:01Z", "2026-01-01 01:00:00", "tomorrow"}) {
    c = base();
    c.send_at = at;
    cases.push_back({at, c, 35114,
                     std::string("Scheduling does not support this timestamp: ") + at +
                         " (SendAt must be YYYY-MM-DDTHH:MM:SSZ, 15 minutes to 35 days ahead)"});
  }
  c = base();
  c.messaging_service_sid = "MG2";
  cases.push_back({"unknown service", c, 21705, "The Messaging Service Sid MG2 is invalid."});
  for (const auto& k : cases) {
    INFO(k.name);
    auto r = w.messaging.create_message(*w.repo.find_account(kAc1), k.request);
    REQUIRE_FALSE(r);
    CHECK(r.error().http_status == 400);
    CHECK(r.error().code == k.code);
    CHECK(r.error().message == k.message);
  }
  auto edge = base();
  edge.send_at = "2026-01-01T00:15:00Z";
  CHECK(w.messaging.create_message(*w.repo.find_account(kAc1), edge));
}

}  // namespace mock::twilio
