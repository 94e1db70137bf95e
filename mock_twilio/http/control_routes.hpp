#pragma once
// mock_twilio's own control endpoints under /_mock/twilio/ (house-style §3.6), beside the
// shared /_mock/* ones. Errors use Twilio's envelope (20001 for bad input, 20404 unknown).
//
//   GET  /_mock/twilio/callbacks[?message_sid=SM...]  every webhook attempt, in order:
//        {"callbacks": [{id, kind, message_sid, account_sid, url, params{}, signature,
//         idempotency_token, attempt, duplicate, due_at, state, response_code, latency_ms,
//         error, attempted_at}]}
//   GET  /_mock/twilio/callback_options   {max_attempts, backoff_ms, timeout_ms, delay_ms,
//   PUT  /_mock/twilio/callback_options    duplicate, reorder}; PUT takes any subset (JSON)
//   GET  /_mock/twilio/lifecycle          {mode, delays_ms: {accepted, queued, sending, sent}}
//   PUT  /_mock/twilio/lifecycle          any subset of the same (JSON)
//   POST /_mock/twilio/messages/{sid}/advance   next automatic status; with a JSON body
//        {"status": "undelivered", "error_code": 30003} sets that status; -> message JSON
//   GET  /_mock/twilio/magic              {"magic_numbers": [{number, scope, effect, code,
//                                          delay_seconds, description}]}
//   POST /_mock/twilio/inbound            {From, To, Body} as JSON or form -> 201
//        {"message": inbound, "replies": [...], "webhook": attempt | null}

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "mock_twilio/http/messages_routes.hpp"

namespace mock::twilio::http {

inline constexpr const char* kCallbacksPath = "/_mock/twilio/callbacks";
inline constexpr const char* kCallbackOptionsPath = "/_mock/twilio/callback_options";
inline constexpr const char* kLifecyclePath = "/_mock/twilio/lifecycle";
inline constexpr const char* kAdvancePath = R"(/_mock/twilio/messages/([^/]+)/advance)";
inline constexpr const char* kMagicPath = "/_mock/twilio/magic";
inline constexpr const char* kInboundPath = "/_mock/twilio/inbound";

void list_callbacks(Deps& d, const httplib::Request& req, httplib::Response& res);
void fetch_callback_options(Deps& d, const httplib::Request& req, httplib::Response& res);
void update_callback_options(Deps& d, const httplib::Request& req, httplib::Response& res);
void fetch_lifecycle(Deps& d, const httplib::Request& req, httplib::Response& res);
void update_lifecycle(Deps& d, const httplib::Request& req, httplib::Response& res);
void advance_message(Deps& d, const httplib::Request& req, httplib::Response& res);
void list_magic(Deps& d, const httplib::Request& req, httplib::Response& res);
void receive_inbound(Deps& d, const httplib::Request& req, httplib::Response& res);

nlohmann::ordered_json callback_json(const CallbackAttempt& a);

}  // namespace mock::twilio::http
