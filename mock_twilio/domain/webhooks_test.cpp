// X-Twilio-Signature against the contract's three test vectors (twilio-messaging.md §5.1).
#include "mock_twilio/domain/webhooks.hpp"

#include <regex>

#include <catch2/catch.hpp>

namespace mock::twilio {
namespace {

const std::string kSm = "SM" + std::string(32, 'b');
const std::string kAc = "AC" + std::string(32, 'a');

Params status_params() {
  return {{"SmsSid", kSm},          {"SmsStatus", "delivered"},  {"MessageStatus", "delivered"},
          {"To", "+15558675310"},   {"MessageSid", kSm},         {"AccountSid", kAc},
          {"From", "+15005550006"}, {"ApiVersion", "2010-04-01"}};
}

}  // namespace

TEST_CASE("twilio_signature: the docs example", "[twilio][signature]") {
  const Params params{{"CallSid", "CA1234567890ABCDE"},
                      {"Caller", "+12349013030"},
                      {"Digits", "1234"},
                      {"From", "+12349013030"},
                      {"To", "+18005551212"}};
  CHECK(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) ==
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST_CASE("twilio_signature: a status callback, in any parameter order", "[twilio][signature]") {
  auto params = status_params();
  CHECK(twilio_signature("test_auth_token", "https://example.com/sms/status", params) ==
        "lk+HLYpYhcaojpsbk/H+6WL3Y4o=");
  std::reverse(params.begin(), params.end());
  CHECK(twilio_signature("test_auth_token", "https://example.com/sms/status", params) ==
        "lk+HLYpYhcaojpsbk/H+6WL3Y4o=");
}

TEST_CASE("twilio_signature: UTF-8 body and NumMedia", "[twilio][signature]") {
  auto params = status_params();
  params.emplace_back("Body", "Hi there \xF0\x9F\x91\x8D");
  params.emplace_back("NumMedia", "0");
  CHECK(twilio_signature("test_auth_token", "https://example.com/sms/status", params) ==
        "7bQXN0pBfEVxLalfHA37f6YeNcA=");
  // A different token or URL changes it.
  CHECK(twilio_signature("other", "https://example.com/sms/status", params) !=
        "7bQXN0pBfEVxLalfHA37f6YeNcA=");
}

}  // namespace mock::twilio

TEST_CASE("idempotency tokens derive from their event: stable, UUID-shaped, distinct",
          "[twilio][webhooks]") {
  using mock::twilio::idempotency_token;
  const auto a = idempotency_token("SM00000000000000000000000000000001/sent/1767225600000");
  CHECK(a == idempotency_token("SM00000000000000000000000000000001/sent/1767225600000"));
  CHECK(std::regex_match(
      a, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  CHECK(a != idempotency_token("SM00000000000000000000000000000001/delivered/1767225600000"));
  CHECK(a != idempotency_token("SM00000000000000000000000000000002/sent/1767225600000"));
}
