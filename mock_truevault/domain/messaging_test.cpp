#include "mock_truevault/domain/messaging.hpp"

#include <catch2/catch.hpp>

#include "mock_truevault/domain/test_world.hpp"

namespace mock::truevault {
namespace {

using namespace testing;
using nlohmann::json;

void check_error(const ApiError& e, int status, const std::string& code,
                 const std::string& message) {
  CHECK(e.http_status == status);
  CHECK(e.code == code);
  CHECK(e.message == message);
}

// Records what would go to Twilio and answers with a scripted result.
class RecordingGateway final : public SmsGateway {
 public:
  common::Result<SmsSent, SmsFailure> send(const SmsMessage& message) override {
    sent.push_back(message);
    if (failure) return common::fail(*failure);
    return SmsSent{"SM00000000000000000000000000000001"};
  }
  std::vector<SmsMessage> sent;
  std::optional<SmsFailure> failure;
};

json guide_request() {
  return json::parse(R"({"provider": "TWILIO",
    "auth": {"account_sid": "AC00000000000000000000000000000001",
             "username": "SK00000000000000000000000000000001", "password": "mock-api-key-secret"},
    "from_number": {"literal_value": "+15557778888"},
    "to_number": {"user_attribute": "phone"},
    "message_body": "Please check your HealthCo messages"})");
}

TEST_CASE("value specifiers", "[truevault][messaging]") {
  const json attributes = {
      {"phone", "5550001111"}, {"age", 42}, {"tags", json::array()}, {"gone", nullptr}};
  auto literal = parse_value_specifier({{"literal_value", "+15557778888"}}, "from_number");
  REQUIRE(literal.has_value());
  CHECK(resolve_value(*literal, attributes).value() == "+15557778888");
  auto attr = parse_value_specifier({{"user_attribute", "phone"}}, "to_number");
  REQUIRE(attr.has_value());
  CHECK(resolve_value(*attr, attributes).value() == "5550001111");
  CHECK(resolve_value({ValueSpecifier::Kind::kUserAttribute, "age"}, attributes).value() == "42");

  check_error(resolve_value({ValueSpecifier::Kind::kUserAttribute, "email"}, attributes).error(),
              400, "MESSAGE.ATTRIBUTE_MISSING", "The user has no attribute 'email'");
  check_error(resolve_value({ValueSpecifier::Kind::kUserAttribute, "gone"}, attributes).error(),
              400, "MESSAGE.ATTRIBUTE_MISSING", "The user has no attribute 'gone'");
  check_error(resolve_value({ValueSpecifier::Kind::kUserAttribute, "phone"}, nullptr).error(), 400,
              "MESSAGE.ATTRIBUTE_MISSING", "The user has no attribute 'phone'");
  check_error(resolve_value({ValueSpecifier::Kind::kUserAttribute, "tags"}, attributes).error(),
              400, "MESSAGE.ATTRIBUTE_INVALID",
              "The user's attribute 'tags' is not a string or number");

  const std::string bad =
      "to_number must be a value specifier: {\"literal_value\": \"...\"} or "
      "{\"user_attribute\": \"...\"}";
  for (const json& spec :
       {json("+1555"), json::object(), json{{"raw", "x"}}, json{{"literal_value", 5}},
        json{{"user_attribute", ""}}, json{{"literal_value", "a"}, {"user_attribute", "b"}}}) {
    check_error(parse_value_specifier(spec, "to_number").error(), 400,
                "MESSAGE.INVALID_VALUE_SPECIFIER", bad);
  }
}

TEST_CASE("SMS request validation", "[truevault][messaging]") {
  REQUIRE(parse_sms_request(guide_request()).has_value());
  // message_body: a plain string in every sample; a value specifier is accepted too.
  json with_spec = guide_request();
  with_spec["message_body"] = {{"user_attribute", "greeting"}};
  auto spec_body = parse_sms_request(with_spec);
  REQUIRE(spec_body.has_value());
  CHECK(spec_body->message_body.kind == ValueSpecifier::Kind::kUserAttribute);
  CHECK(spec_body->message_body.value == "greeting");
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"provider missing", [](json& b) { b.erase("provider"); }, "REQUEST.MISSING_PARAMETER",
       "Missing required parameter: provider"},
      {"provider SENDGRID", [](json& b) { b["provider"] = "SENDGRID"; }, "MESSAGE.INVALID_PROVIDER",
       "Invalid provider: this endpoint supports only TWILIO"},
      {"auth missing", [](json& b) { b.erase("auth"); }, "REQUEST.MISSING_PARAMETER",
       "Missing required parameter: auth"},
      {"auth.password missing", [](json& b) { b["auth"].erase("password"); },
       "REQUEST.MISSING_PARAMETER", "Missing required parameter: auth.password"},
      {"auth.account_sid number", [](json& b) { b["auth"]["account_sid"] = 1; },
       "REQUEST.INVALID_PARAMETER", "Invalid auth.account_sid: must be a string"},
      {"to_number missing", [](json& b) { b.erase("to_number"); }, "REQUEST.MISSING_PARAMETER",
       "Missing required parameter: to_number"},
      {"message_body missing", [](json& b) { b.erase("message_body"); },
       "REQUEST.MISSING_PARAMETER", "Missing required parameter: message_body"},
      {"media_urls not an array", [](json& b) { b["media_urls"] = "http://x"; },
       "REQUEST.INVALID_PARAMETER", "Invalid media_urls: must be an array of value specifiers"},
      {"media_urls item", [](json& b) { b["media_urls"] = json::array({"http://x"}); },
       "MESSAGE.INVALID_VALUE_SPECIFIER",
       "media_urls[0] must be a value specifier: {\"literal_value\": \"...\"} or "
       "{\"user_attribute\": \"...\"}"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      json body = guide_request();
      c.edit(body);
      auto parsed = parse_sms_request(body);
      REQUIRE_FALSE(parsed.has_value());
      check_error(parsed.error(), 400, c.code, c.message);
    }
  }
}

// read_sms_request() either declines (nullopt: the handler parses with nlohmann) or returns
// exactly what parse_sms_request() makes of nlohmann's DOM of the same text.
void check_agrees(const std::string& body) {
  INFO(body);
  const auto fast = read_sms_request(body);
  if (!fast) return;
  const json dom = json::parse(body, nullptr, false);
  REQUIRE_FALSE(dom.is_discarded());
  REQUIRE(dom.is_object());
  const auto slow = parse_sms_request(dom);
  REQUIRE(slow.has_value());
  CHECK(fast->auth.account_sid == slow->auth.account_sid);
  CHECK(fast->auth.username == slow->auth.username);
  CHECK(fast->auth.password == slow->auth.password);
  for (const auto& [a, b] : {std::pair{&fast->from_number, &slow->from_number},
                             std::pair{&fast->to_number, &slow->to_number},
                             std::pair{&fast->message_body, &slow->message_body}}) {
    CHECK(a->kind == b->kind);
    CHECK(a->value == b->value);
  }
  CHECK(fast->media_urls.empty());
  CHECK(slow->media_urls.empty());
}

const std::string kGuideBody =
    R"({"provider":"TWILIO","auth":{"account_sid":"AC00000000000000000000000000000001",)"
    R"("username":"SK00000000000000000000000000000001","password":"mock-api-key-secret"},)"
    R"("from_number":{"literal_value":"+15557778888"},"to_number":{"user_attribute":"phone"},)"
    R"("message_body":"Please check your HealthCo messages"})";

TEST_CASE("read_sms_request reads the guide's body as parse_sms_request does",
          "[truevault][messaging]") {
  const auto fast = read_sms_request(kGuideBody);
  REQUIRE(fast.has_value());
  CHECK(fast->auth.account_sid == "AC00000000000000000000000000000001");
  CHECK(fast->auth.username == "SK00000000000000000000000000000001");
  CHECK(fast->auth.password == "mock-api-key-secret");
  CHECK(fast->from_number.kind == ValueSpecifier::Kind::kLiteral);
  CHECK(fast->from_number.value == "+15557778888");
  CHECK(fast->to_number.kind == ValueSpecifier::Kind::kUserAttribute);
  CHECK(fast->to_number.value == "phone");
  CHECK(fast->message_body.kind == ValueSpecifier::Kind::kLiteral);
  CHECK(fast->message_body.value == "Please check your HealthCo messages");
  check_agrees(kGuideBody);

  // Read: what JSON.stringify and pretty printers send (any member order, whitespace).
  const std::vector<std::string> read = {
      guide_request().dump(), guide_request().dump(2), guide_request().dump(1, '\t'),
      " \r\n" + kGuideBody + "\n ",
      R"({ "message_body" : "" , "to_number" : { "literal_value" : "" } , "from_number" :)"
      R"( {"user_attribute":"x"}, "auth": {"password":"p","username":"u","account_sid":"a"},)"
      R"( "provider": "TWILIO" })"};
  for (const auto& body : read) {
    INFO(body);
    CHECK(read_sms_request(body).has_value());
    check_agrees(body);
  }

  // Declined, for nlohmann and parse_sms_request() to answer: valid requests outside the
  // shape, invalid ones, and text that is not JSON.
  const std::vector<std::string> declined = {
      "",
      "{}",
      "[]",
      "null",
      kGuideBody + "x",
      kGuideBody + "{}",
      std::string(kGuideBody).append(1, '\0'),
      "\xEF\xBB\xBF" + kGuideBody,
      R"({"provider":"TWILIO"})",
      // valid, but outside the shape
      R"({"media_urls":[],)" + kGuideBody.substr(1),
      R"({"x":1,)" + kGuideBody.substr(1),
      R"({"provider":"TWILIO","provider":"TWILIO",)" + kGuideBody.substr(1),
      R"({"message_body":"caf\u00e9",)" + kGuideBody.substr(1),
      R"({"message_body":"café",)" + kGuideBody.substr(1),
      R"({"message_body":"a\nb",)" + kGuideBody.substr(1),
      R"({"message_body":{"user_attribute":"greeting"},)" + kGuideBody.substr(1),
      // invalid: each has its own error from parse_sms_request()
      R"({"provider":"SENDGRID",)" + kGuideBody.substr(1),
      R"({"to_number":{"user_attribute":""},)" + kGuideBody.substr(1),
      R"({"auth":{"account_sid":"","username":"u","password":"p"},)" + kGuideBody.substr(1),
      R"({"auth":{"account_sid":"a","username":"u"},)" + kGuideBody.substr(1),
      R"({"from_number":{"literal_value":"a","user_attribute":"b"},)" + kGuideBody.substr(1),
      R"({"from_number":{},)" + kGuideBody.substr(1),
      R"({"from_number":null,)" + kGuideBody.substr(1),
  };
  for (const auto& body : declined) {
    INFO(body);
    CHECK_FALSE(read_sms_request(body).has_value());
  }
}

TEST_CASE("read_sms_request agrees with nlohmann on every truncation and one-byte change",
          "[truevault][messaging]") {
  // Each is read or declined; what is read must be what the DOM path makes of it.
  const std::string pretty = guide_request().dump(1);
  int read = 0;
  for (const std::string& base : {kGuideBody, pretty}) {
    for (std::size_t n = 0; n <= base.size(); ++n) check_agrees(base.substr(0, n));
    const std::string bytes = std::string("\"\\{}[]:, \t\n0aA+-_") + '\0' + "\x7f\x80\xff";
    for (std::size_t i = 0; i < base.size(); ++i) {
      for (const char b : bytes) {
        std::string changed = base;
        changed[i] = b;
        check_agrees(changed);
        read += read_sms_request(changed).has_value() ? 1 : 0;
        changed = base;
        changed.insert(i, 1, b);
        check_agrees(changed);
        changed = base;
        changed.erase(i, 1);
        check_agrees(changed);
      }
    }
  }
  CHECK(read > 100);  // changes inside strings stay on the fast path
}

TEST_CASE("send_sms resolves the patient's phone and records the outbox",
          "[truevault][messaging]") {
  World w;
  RecordingGateway gateway;
  Messaging messaging(*w.store, w.auth, gateway, w.clock);
  auto sid = messaging.send_sms(w.principal(kNotifierKey), kPatientId, guide_request());
  REQUIRE(sid.has_value());
  CHECK(*sid == "SM00000000000000000000000000000001");
  REQUIRE(gateway.sent.size() == 1);
  CHECK(gateway.sent[0].to == "5550001111");
  CHECK(gateway.sent[0].from == "+15557778888");
  CHECK(gateway.sent[0].body == "Please check your HealthCo messages");
  CHECK(gateway.sent[0].auth.username == "SK00000000000000000000000000000001");
  auto outbox = messaging.outbox();
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].result == "success");
  CHECK(outbox[0].to == "5550001111");
  CHECK(outbox[0].provider_message_id == "SM00000000000000000000000000000001");
}

TEST_CASE("send_sms: denial, unknown user, missing attribute send nothing",
          "[truevault][messaging]") {
  World w;
  RecordingGateway gateway;
  Messaging messaging(*w.store, w.auth, gateway, w.clock);
  // The patient has no grant at all.
  check_error(messaging.send_sms(w.principal(kPatientKey), kPatientId, guide_request()).error(),
              403, "AUTH.FORBIDDEN",
              "Not authorized: the caller's group policies do not grant C on "
              "User::4a635639-fcf5-4cca-9b79-25376fdb460f::Message");
  check_error(messaging
                  .send_sms(w.principal(kNotifierKey), "00000000-0000-4000-a000-000000000999",
                            guide_request())
                  .error(),
              404, "USER.NOT_FOUND", "User 00000000-0000-4000-a000-000000000999 does not exist");
  // Another account's user is invisible (the other admin may message anyone in its account).
  check_error(messaging
                  .send_sms(w.principal("00000000-0000-4000-a000-0000000000b1"), kPatientId,
                            guide_request())
                  .error(),
              404, "USER.NOT_FOUND", "User 4a635639-fcf5-4cca-9b79-25376fdb460f does not exist");
  json body = guide_request();
  body["to_number"] = {{"user_attribute", "mobile"}};
  check_error(messaging.send_sms(w.principal(kNotifierKey), kPatientId, body).error(), 400,
              "MESSAGE.ATTRIBUTE_MISSING", "The user has no attribute 'mobile'");
  CHECK(gateway.sent.empty());
  CHECK(messaging.outbox().empty());
}

TEST_CASE("send_sms surfaces Twilio's error without the attribute value",
          "[truevault][messaging]") {
  World w;
  RecordingGateway gateway;
  Messaging messaging(*w.store, w.auth, gateway, w.clock);
  gateway.failure = SmsFailure{SmsFailure::Kind::kRejected, 400, 21211,
                               "The 'To' number 5550001111 is not a valid phone number.", 0};
  check_error(messaging.send_sms(w.principal(kNotifierKey), kPatientId, guide_request()).error(),
              400, "MESSAGE.PROVIDER_ERROR",
              "Twilio error 21211: The 'To' number [redacted] is not a valid phone number.");
  gateway.failure = SmsFailure{SmsFailure::Kind::kRejected, 401, 20003, "Authenticate", 0};
  check_error(messaging.send_sms(w.principal(kNotifierKey), kPatientId, guide_request()).error(),
              400, "MESSAGE.PROVIDER_ERROR", "Twilio error 20003: Authenticate");
  gateway.failure = SmsFailure{SmsFailure::Kind::kTimeout, 0, 0, "timed out", 250};
  check_error(messaging.send_sms(w.principal(kNotifierKey), kPatientId, guide_request()).error(),
              504, "MESSAGE.PROVIDER_TIMEOUT", "Twilio did not answer within 250 ms");
  gateway.failure =
      SmsFailure{SmsFailure::Kind::kUnreachable, 0, 0, "Connection (http://127.0.0.1:9)", 0};
  check_error(messaging.send_sms(w.principal(kNotifierKey), kPatientId, guide_request()).error(),
              502, "MESSAGE.PROVIDER_UNAVAILABLE",
              "Could not reach Twilio: Connection (http://127.0.0.1:9)");
  auto outbox = messaging.outbox();
  REQUIRE(outbox.size() == 4);
  CHECK(outbox[0].result == "error");
  CHECK(outbox[0].error_code == "MESSAGE.PROVIDER_ERROR");
  // The inspection API keeps Twilio's own text.
  CHECK(outbox[0].error_message ==
        "Twilio error 21211: The 'To' number 5550001111 is not a valid phone number.");
}

TEST_CASE("redact replaces every occurrence", "[truevault][messaging]") {
  CHECK(redact("to +15550001111 and 5550001111", {"5550001111"}) ==
        "to +1[redacted] and [redacted]");
  CHECK(redact("nothing", {""}) == "nothing");
}

}  // namespace
}  // namespace mock::truevault
