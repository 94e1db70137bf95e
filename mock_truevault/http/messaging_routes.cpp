// POST /v1/users/{id}/message/sms (truevault-api.md §7) and the outbox inspection API.
// Path capture: matches[1] = user id.

#include "common/http_util.hpp"
#include "common/json_util.hpp"
#include "mock_truevault/http/routes.hpp"
#include "mock_truevault/http/serialize.hpp"

namespace mock::truevault::http {

void send_sms(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto body = common::read_body(req, reader);
  if (!body) {
    return write_error(d.ids, res,
                       body.error() == common::BodyError::kTooLarge ? errors::body_too_large()
                                                                    : errors::invalid_json_body());
  }
  // The Messaging API takes JSON (1.2.4); the SDK always sends Content-Type: application/json.
  // A body without that type is still parsed as JSON rather than refused.
  const std::string user_id = req.matches[1];
  auto sid = [&]() -> common::Result<std::string, ApiError> {
    // The guide's and the SDKs' shape is read without a DOM; any other body, valid or not,
    // takes nlohmann's parser and parse_sms_request() (the same request where both read it).
    if (auto request = read_sms_request(body->raw)) {
      return d.messaging.send_sms(*caller, user_id, *request);
    }
    if (common::json_nesting_exceeds(body->raw, kMaxJsonDepth)) {
      return common::fail(errors::json_too_deep(kMaxJsonDepth));
    }
    auto json = nlohmann::json::parse(body->raw, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return common::fail(errors::invalid_json_body());
    }
    return d.messaging.send_sms(*caller, user_id, json);
  }();
  if (!sid) {
    // Code and user id only: never the number, the body or the Twilio credentials.
    d.log->info("send_sms for user {} failed: {}", user_id, sid.error().code);
    return write_error(d.ids, res, sid.error());
  }
  write_sms_sent(d.ids, res, *sid);
}

void list_outbox(Deps& d, const Request& req, Response& res) {
  const auto query = common::query_params(req);
  auto entries = d.messaging.outbox();
  // Filters: to=, user_id=, result= (exact match).
  std::erase_if(entries, [&](const OutboxEntry& e) {
    const auto to = query.get("to");
    const auto user = query.get("user_id");
    const auto result = query.get("result");
    return (to && e.to != *to) || (user && e.user_id != *user) || (result && e.result != *result);
  });
  common::write_json(res, 200, outbox_json(entries));
}

void clear_outbox(Deps& d, const Request& /*req*/, Response& res) {
  const auto count = d.messaging.outbox().size();
  d.messaging.clear_outbox();
  common::write_json(res, 200, {{"deleted", count}});
}

}  // namespace mock::truevault::http
