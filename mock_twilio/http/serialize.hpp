#pragma once
// The one renderer of mock_twilio (house-style §3.3): the message JSON (twilio-messaging.md
// §1.2: exactly 20 keys, in the spec's order), the list page envelope (§1.3) and the error
// envelope {code, message, more_info, status} (§2). Timestamps are formatted here only.

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/messaging.hpp"
#include "mock_twilio/domain/model.hpp"

namespace mock::twilio::http {

inline constexpr const char* kApiVersion = "2010-04-01";

// RFC 2822 in GMT: "Thu, 24 Aug 2023 05:01:45 +0000" (gmtime_r + strftime, C locale).
std::string format_rfc2822(TimePoint t);

// /2010-04-01/Accounts/{AC}/Messages/{SM}.json
std::string message_uri(const Message& m);
nlohmann::ordered_json message_json(const Message& m);
// message_json(m) as compact text (the bytes write_json would send), written straight into
// one string without building the JSON tree: the create, fetch and update responses.
std::string message_text(const Message& m);

// The page envelope: end, first_page_uri, next_page_uri, page, page_size,
// previous_page_uri, start, uri, messages. URIs are relative and echo the filters in the
// order To, From, DateSent, DateSent<, DateSent>, PageSize, Page, PageToken (keys and values
// form-encoded: DateSent%3E, %2B).
nlohmann::ordered_json page_json(const std::string& account_sid, const ListMessageRequest& request,
                                 const MessagePage& page);

nlohmann::ordered_json error_json(const ApiError& error);

// Writes `body` as application/json with `status`.
void write_json(httplib::Response& res, int status, const nlohmann::ordered_json& body);
// Writes `body`, already JSON text, as application/json with `status`.
void write_json_text(httplib::Response& res, int status, std::string body);
// Writes the error envelope; a 401 also carries WWW-Authenticate: Basic realm="Twilio API".
void write_error(httplib::Response& res, const ApiError& error);

}  // namespace mock::twilio::http
