// Inbound messages: keywords and opt-out (21610), the signed webhook, TwiML replies, 11200 /
// 12100 on the inbound record.
#include "mock_twilio/domain/inbound.hpp"

#include <catch2/catch.hpp>

#include "mock_twilio/domain/keywords.hpp"
#include "mock_twilio/domain/messaging.hpp"
#include "mock_twilio/domain/test_doubles.hpp"

namespace mock::twilio {
namespace {

using testing::kAc1;
using S = MessageStatus;

struct World {
  explicit World(Progression progression = Progression::kManual)
      : lifecycle({progression, {}}, clock) {
    repo.numbers_.front().sms_url = "http://app/sms";
  }
  testing::FakeRepository repo;
  common::ManualClock clock;
  common::IdGenerator ids = common::IdGenerator::sequential();
  Lifecycle lifecycle;
  testing::RecordingSender sender;
  StatusEngine engine{repo, lifecycle, sender, CallbackOptions{}};
  Messaging messaging{repo, clock, ids, lifecycle, engine};
  Inbound inbound{repo, ids, lifecycle, engine, sender};

  InboundResult receive(const std::string& body, const std::string& from = "+15550001111") {
    auto r = inbound.receive({from, std::string("+15557778888"), body});
    REQUIRE(r);
    return *r;
  }
  Result<Message> send_to(const std::string& to) {
    CreateMessageRequest r;
    r.to = to;
    r.from = "+15557778888";
    r.body = "hello";
    return messaging.create_message(*repo.find_account(kAc1), r);
  }
  std::string param(const WebhookRequest& req, const std::string& name) {
    for (const auto& [k, v] : req.params) {
      if (k == name) return v;
    }
    return "<absent>";
  }
};

}  // namespace

TEST_CASE("inbound: stored, webhook signed with Twilio's parameters, TwiML reply",
          "[twilio][inbound]") {
  World w;
  w.sender.responses = {WebhookResponse{
      200, "<Response><Message>Got it: thanks</Message></Response>", "text/xml", "", {}}};
  auto r = w.receive("Hello there");
  CHECK(r.inbound.direction == Direction::kInbound);
  CHECK(r.inbound.status == S::kReceived);
  CHECK(r.inbound.from == "+15550001111");
  CHECK(r.inbound.to == "+15557778888");
  CHECK_FALSE(r.inbound.error_code);
  REQUIRE(w.sender.requests.size() == 1);
  const auto& req = w.sender.requests[0];
  CHECK(req.url == "http://app/sms");
  CHECK(req.signature == twilio_signature("token1", "http://app/sms", req.params));
  CHECK(w.param(req, "SmsStatus") == "received");
  CHECK(w.param(req, "Body") == "Hello there");
  CHECK(w.param(req, "MessageSid") == r.inbound.sid);
  CHECK(w.param(req, "SmsMessageSid") == r.inbound.sid);
  CHECK(w.param(req, "AccountSid") == kAc1);
  CHECK(w.param(req, "NumMedia") == "0");
  CHECK(w.param(req, "OptOutType") == "<absent>");
  REQUIRE(r.replies.size() == 1);
  CHECK(r.replies[0].direction == Direction::kOutboundReply);
  CHECK(r.replies[0].body == "Got it: thanks");
  CHECK(r.replies[0].from == "+15557778888");
  CHECK(r.replies[0].to == "+15550001111");
  CHECK(r.replies[0].status == S::kQueued);
  REQUIRE(r.webhook);
  CHECK(r.webhook->kind == CallbackKind::kInbound);
  CHECK(r.webhook->state == CallbackState::kDelivered);
  CHECK(w.repo.list_callbacks(r.inbound.sid).size() == 1);
}

TEST_CASE("inbound: STOP opts out (21610), START opts back in", "[twilio][inbound]") {
  World w;
  REQUIRE(w.send_to("+15550001111"));
  auto stop = w.receive(" stop ");
  CHECK(w.param(w.sender.requests.back(), "OptOutType") == "STOP");
  REQUIRE(stop.replies.size() == 1);  // Twilio's confirmation; the app's TwiML is empty
  CHECK(stop.replies[0].body == std::string(auto_reply(Keyword::kOptOut)));
  auto refused = w.send_to("+15550001111");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().http_status == 400);
  CHECK(refused.error().code == 21610);
  CHECK(refused.error().message == "Attempt to send to unsubscribed recipient");
  CHECK(w.send_to("+15550002222"));  // other numbers are unaffected
  auto help = w.receive("HELP");
  CHECK(help.replies[0].body == "Reply STOP to unsubscribe. Msg&Data Rates May Apply.");
  CHECK_FALSE(w.send_to("+15550001111"));  // HELP does not opt in
  auto start = w.receive("Start");
  CHECK(w.param(w.sender.requests.back(), "OptOutType") == "START");
  CHECK(start.replies[0].body == std::string(auto_reply(Keyword::kOptIn)));
  CHECK(w.send_to("+15550001111"));
}

TEST_CASE("inbound: malformed TwiML is 12100, a failed fetch 11200, never a crash",
          "[twilio][inbound]") {
  World w;
  w.sender.responses = {
      WebhookResponse{200, "<Response><Message>oops</Response>", "text/xml", "", {}},
      WebhookResponse{500, "boom", "text/plain", "", {}},
      WebhookResponse{std::nullopt, "", "", "connection failed", {}},
      WebhookResponse{200,
                      "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Response>"
                      "<Message>&x;</Message></Response>",
                      "text/xml",
                      "",
                      {}}};
  auto bad = w.receive("one");
  CHECK(bad.inbound.error_code == 12100);
  CHECK(bad.inbound.error_message == "Document parse failure");
  CHECK(bad.replies.empty());
  CHECK(bad.webhook->error == "TwiML: mismatched end tag (expected </Message>) at offset 33");
  CHECK(w.repo.find_message_by_sid(bad.inbound.sid)->error_code == 12100);
  auto http500 = w.receive("two");
  CHECK(http500.inbound.error_code == 11200);
  CHECK(http500.inbound.error_message == "HTTP retrieval failure");
  CHECK(http500.webhook->error == "HTTP 500");
  auto refused = w.receive("three");
  CHECK(refused.inbound.error_code == 11200);
  CHECK(refused.webhook->error == "connection failed");
  auto xxe = w.receive("four");
  CHECK(xxe.inbound.error_code == 12100);
  CHECK(xxe.webhook->error == "TwiML: DOCTYPE declarations are not allowed");
}

TEST_CASE("inbound: input errors", "[twilio][inbound]") {
  World w;
  struct Case {
    InboundRequest request;
    int status;
    int code;
    std::string message;
  };
  const Case cases[] = {
      {{std::nullopt, "+15557778888", "x"}, 400, 20001, "Invalid From: is required"},
      {{"+15550001111", std::nullopt, "x"}, 400, 20001, "Invalid To: is required"},
      {{"abc", "+15557778888", "x"}, 400, 20001, "Invalid From: 'abc' is not a phone number"},
      {{"+15550001111", "12", "x"}, 400, 20001, "Invalid To: '12' is not a phone number"},
      {{"+15550001111", "+15559990000", "x"},
       404,
       20404,
       "The requested resource +15559990000 was not found (no account owns this number)"},
  };
  for (const auto& c : cases) {
    auto r = w.inbound.receive(c.request);
    REQUIRE_FALSE(r);
    CHECK(r.error().http_status == c.status);
    CHECK(r.error().code == c.code);
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("inbound: in immediate mode a reply is stored final at its create, like an API create",
          "[twilio][inbound]") {
  World w(Progression::kImmediate);
  w.sender.responses = {
      WebhookResponse{200, "<Response><Message>Got it</Message></Response>", "text/xml", "", {}}};
  auto twiml = w.receive("Hello there");
  auto stop = w.receive("STOP", "+15550002222");  // Twilio's own auto-reply
  REQUIRE(twiml.replies.size() == 1);
  REQUIRE(stop.replies.size() == 1);
  for (const auto& reply : {twiml.replies[0], stop.replies[0]}) {
    CHECK(reply.status == S::kQueued);  // what the create returned
    const auto stored = w.repo.find_message(kAc1, reply.sid);
    REQUIRE(stored);
    CHECK(stored->status == S::kDelivered);  // no worker pass in between
    CHECK(stored->date_sent);
    CHECK_FALSE(stored->next_at);
  }
  CHECK(w.repo.due_messages(w.clock.now(), 100).empty());
}

}  // namespace mock::twilio
