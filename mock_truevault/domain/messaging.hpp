#pragma once
// The Messaging API, SMS half (truevault-api.md §7.1, 7.3-7.5): POST
// /v1/users/{id}/message/sms sends one SMS to one TrueVault user through Twilio with
// credentials the caller supplies per request; the caller never sees the user's number.
//
// Outbound HTTP sits behind SmsGateway (house-style §3.1), implemented in
// http/twilio_client.*; unit tests plug in a recording fake.
//
// Privacy: values resolved from user attributes never appear in a response or a log line.
// Twilio's own error messages can echo the number (21211 "The 'To' number ... is not a valid
// phone number."), so they are redacted before they reach the caller. Credentials the caller
// supplies are used for the one call and never stored (7: "not retained").

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/model.hpp"

namespace mock::truevault {

class Store;

// {"literal_value": "..."} or {"user_attribute": "..."} (7.1).
struct ValueSpecifier {
  enum class Kind { kLiteral, kUserAttribute };
  Kind kind = Kind::kLiteral;
  std::string value;  // the literal, or the attribute name
};
// 400 MESSAGE.INVALID_VALUE_SPECIFIER naming `field` unless `spec` is an object with exactly
// one of literal_value / user_attribute holding a string.
common::Result<ValueSpecifier, ApiError> parse_value_specifier(const nlohmann::json& spec,
                                                               std::string_view field);
// The value `spec` names for a user with `attributes`. A missing attribute (or attributes
// that are not an object) is 400 MESSAGE.ATTRIBUTE_MISSING naming it; a number is used as
// its decimal text; any other type is 400 MESSAGE.ATTRIBUTE_INVALID.
common::Result<std::string, ApiError> resolve_value(const ValueSpecifier& spec,
                                                    const nlohmann::json& attributes);

struct TwilioAuth {
  std::string account_sid;
  std::string username;  // API key SID (SK...) or the account SID
  std::string password;  // API key secret or auth token
};

struct SmsRequest {
  TwilioAuth auth;
  ValueSpecifier from_number;
  ValueSpecifier to_number;
  ValueSpecifier message_body;  // a plain string is a literal
  std::vector<ValueSpecifier> media_urls;
};
// Validates the JSON body of POST .../message/sms: provider TWILIO, auth{account_sid,
// username, password}, from_number, to_number, message_body, optional media_urls. 400 with
// the catalogue error naming the first problem.
common::Result<SmsRequest, ApiError> parse_sms_request(const nlohmann::json& body);
// The same request read straight from the body's text, for the shape the guide and the SDKs
// send: one JSON object with provider, auth {account_sid, username, password}, from_number,
// to_number (each {"literal_value"|"user_attribute": "..."}) and message_body (a string), each
// once, every string printable ASCII without escapes, and every value valid. Anything else
// (media_urls, other members, escapes, UTF-8, a duplicate, null, an invalid value, a missing
// member, not JSON) is nullopt: parse the body with nlohmann and parse_sms_request(), which
// answers it or names its error. Where it returns a request, that request equals
// parse_sms_request(nlohmann::json::parse(body)) (messaging_test.cpp checks every truncation
// and one-byte change of the guide's body). nlohmann's DOM was an eighth of mock_truevault's
// work per SMS (bench/README.md, "Session 11").
std::optional<SmsRequest> read_sms_request(std::string_view body);

// What goes to Twilio.
struct SmsMessage {
  TwilioAuth auth;
  std::string from;
  std::string to;
  std::string body;
  std::vector<std::string> media_urls;
};

struct SmsSent {
  std::string provider_message_id;  // Twilio's message SID
};

struct SmsFailure {
  enum class Kind {
    kRejected,     // Twilio answered with its error envelope
    kUnreachable,  // could not connect
    kTimeout,      // connected, no answer in time
    kBadResponse,  // an answer that is not Twilio's JSON
  };
  Kind kind = Kind::kUnreachable;
  int http_status = 0;       // kRejected: Twilio's HTTP status
  int provider_code = 0;     // kRejected: Twilio's error code (20003, 21211, ...)
  std::string message;       // Twilio's message, or what went wrong
  long long timeout_ms = 0;  // kTimeout
};

// Sends one SMS through a provider. Implementations are safe for concurrent use and never
// block longer than their configured timeouts.
class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  virtual common::Result<SmsSent, SmsFailure> send(const SmsMessage& message) = 0;
};

class Messaging {
 public:
  Messaging(Store& store, Auth& auth, SmsGateway& gateway, const common::Clock& clock);

  // POST /v1/users/{user_id}/message/sms. Order: authorize (403, nothing is sent), the user
  // in the caller's account (404), the body (400), the value specifiers (400), then Twilio.
  // Every attempt that reaches the gateway is recorded in the outbox.
  // Returns Twilio's message SID.
  common::Result<std::string, ApiError> send_sms(const Principal& caller,
                                                 const std::string& user_id,
                                                 const nlohmann::json& body);
  // The same with the body already read and valid (read_sms_request()).
  common::Result<std::string, ApiError> send_sms(const Principal& caller,
                                                 const std::string& user_id,
                                                 const SmsRequest& request);

  std::vector<OutboxEntry> outbox();
  void clear_outbox();

 private:
  // send_sms() once the caller may send to the user: `request` reads or checks the body.
  template <typename ReadRequest>
  common::Result<std::string, ApiError> send_checked(const Principal& caller,
                                                     const std::string& user_id,
                                                     ReadRequest&& request);

  Store& store_;
  Auth& auth_;
  SmsGateway& gateway_;
  const common::Clock& clock_;
};

// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace mock::truevault
