#include "mock_twilio/http/control_routes.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "common/control_plane.hpp"
#include "common/http_util.hpp"
#include "mock_twilio/domain/magic.hpp"
#include "mock_twilio/http/serialize.hpp"

namespace mock::twilio::http {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using std::chrono::milliseconds;

// An empty body is {}; anything but a JSON object is 20001.
std::optional<json> json_object(const httplib::Request& req, httplib::Response& res) {
  if (req.body.empty()) return json::object();
  auto j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    write_error(res, errors::invalid_parameter("body", "expected a JSON object"));
    return std::nullopt;
  }
  return j;
}

// Reads an optional non-negative integer member; false (after writing 20001) when invalid.
bool read_count(const json& j, const char* key, long max, long& out, httplib::Response& res) {
  if (!j.contains(key)) return true;
  const auto& v = j[key];
  if (!v.is_number_integer() || v.get<long>() < 0 || v.get<long>() > max) {
    write_error(
        res, errors::invalid_parameter(key, fmt::format("expected an integer from 0 to {}", max)));
    return false;
  }
  out = v.get<long>();
  return true;
}

bool read_flag(const json& j, const char* key, bool& out, httplib::Response& res) {
  if (!j.contains(key)) return true;
  if (!j[key].is_boolean()) {
    write_error(res, errors::invalid_parameter(key, "expected true or false"));
    return false;
  }
  out = j[key].get<bool>();
  return true;
}

ordered_json options_json(const CallbackOptions& o) {
  ordered_json j;
  j["max_attempts"] = o.max_attempts;
  j["backoff_ms"] = o.backoff.count();
  j["timeout_ms"] = o.timeout.count();
  j["delay_ms"] = o.delay.count();
  j["duplicate"] = o.duplicate;
  j["reorder"] = o.reorder;
  return j;
}

ordered_json lifecycle_json(const LifecycleSettings& s) {
  ordered_json j;
  j["mode"] = to_string(s.mode);
  j["delays_ms"] = {{"accepted", s.delays.accepted.count()},
                    {"queued", s.delays.queued.count()},
                    {"sending", s.delays.sending.count()},
                    {"sent", s.delays.sent.count()}};
  return j;
}

constexpr long kMaxMs = 86400000L;  // one day

}  // namespace

ordered_json callback_json(const CallbackAttempt& a) {
  auto opt_time = [](const std::optional<TimePoint>& t) {
    return t ? ordered_json(common::format_iso8601(*t)) : ordered_json(nullptr);
  };
  ordered_json params = ordered_json::object();
  for (const auto& [k, v] : a.params) params[k] = v;
  ordered_json j;
  j["id"] = a.id;
  j["kind"] = to_string(a.kind);
  j["message_sid"] = a.message_sid;
  j["account_sid"] = a.account_sid;
  j["url"] = a.url;
  j["params"] = params;
  j["signature"] = a.signature;
  j["idempotency_token"] = a.idempotency_token;
  j["attempt"] = a.attempt;
  j["duplicate"] = a.duplicate;
  j["due_at"] = common::format_iso8601(a.due_at);
  j["state"] = to_string(a.state);
  j["response_code"] = a.response_code ? ordered_json(*a.response_code) : ordered_json(nullptr);
  j["latency_ms"] = a.latency_ms ? ordered_json(*a.latency_ms) : ordered_json(nullptr);
  j["error"] = a.error ? ordered_json(*a.error) : ordered_json(nullptr);
  j["attempted_at"] = opt_time(a.attempted_at);
  return j;
}

void list_callbacks(Deps& d, const httplib::Request& req, httplib::Response& res) {
  const auto query = common::query_params(req);
  ordered_json out;
  out["callbacks"] = ordered_json::array();
  for (const auto& a : d.repository.list_callbacks(query.get("message_sid"))) {
    out["callbacks"].push_back(callback_json(a));
  }
  write_json(res, 200, out);
}

void fetch_callback_options(Deps& d, const httplib::Request& /*req*/, httplib::Response& res) {
  write_json(res, 200, options_json(d.engine.callback_options()));
}

void update_callback_options(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto body = json_object(req, res);
  if (!body) return;
  auto o = d.engine.callback_options();
  long attempts = o.max_attempts;
  long backoff = o.backoff.count();
  long timeout = o.timeout.count();
  long delay = o.delay.count();
  if (!read_count(*body, "max_attempts", 10, attempts, res) ||
      !read_count(*body, "backoff_ms", kMaxMs, backoff, res) ||
      !read_count(*body, "timeout_ms", 60000, timeout, res) ||
      !read_count(*body, "delay_ms", kMaxMs, delay, res) ||
      !read_flag(*body, "duplicate", o.duplicate, res) ||
      !read_flag(*body, "reorder", o.reorder, res)) {
    return;
  }
  if (attempts < 1 || timeout < 1) {
    return write_error(res, errors::invalid_parameter(attempts < 1 ? "max_attempts" : "timeout_ms",
                                                      "must be at least 1"));
  }
  o.max_attempts = static_cast<int>(attempts);
  o.backoff = milliseconds(backoff);
  o.timeout = milliseconds(timeout);
  o.delay = milliseconds(delay);
  d.engine.set_callback_options(o);
  write_json(res, 200, options_json(o));
}

void fetch_lifecycle(Deps& d, const httplib::Request& /*req*/, httplib::Response& res) {
  write_json(res, 200, lifecycle_json(d.lifecycle.settings()));
}

void update_lifecycle(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto body = json_object(req, res);
  if (!body) return;
  auto s = d.lifecycle.settings();
  if (body->contains("mode")) {
    const auto& m = (*body)["mode"];
    auto mode = m.is_string() ? parse_progression(m.get<std::string>()) : std::nullopt;
    if (!mode) {
      return write_error(res,
                         errors::invalid_parameter("mode", "expected immediate, timed or manual"));
    }
    s.mode = *mode;
  }
  if (body->contains("delays_ms")) {
    const auto& delays = (*body)["delays_ms"];
    if (!delays.is_object()) {
      return write_error(res, errors::invalid_parameter("delays_ms", "expected an object"));
    }
    for (const auto& [key, value] : delays.items()) {
      milliseconds* slot = key == "accepted"  ? &s.delays.accepted
                           : key == "queued"  ? &s.delays.queued
                           : key == "sending" ? &s.delays.sending
                           : key == "sent"    ? &s.delays.sent
                                              : nullptr;
      if (slot == nullptr) {
        return write_error(
            res, errors::invalid_parameter("delays_ms", fmt::format("unknown status '{}'", key)));
      }
      long ms = 0;
      if (!read_count(delays, key.c_str(), kMaxMs, ms, res)) return;
      *slot = milliseconds(ms);
    }
  }
  // Applies to steps scheduled from now on; messages already waiting keep their due time.
  d.lifecycle.set_settings(s);
  d.engine.wake();
  write_json(res, 200, lifecycle_json(s));
}

void advance_message(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto body = json_object(req, res);
  if (!body) return;
  std::optional<MessageStatus> status;
  std::optional<int> error_code;
  if (body->contains("status")) {
    const auto& v = (*body)["status"];
    status = v.is_string() ? parse_message_status(v.get<std::string>()) : std::nullopt;
    if (!status) {
      return write_error(res, errors::invalid_parameter("status", "not a message status"));
    }
  }
  if (body->contains("error_code")) {
    const auto& v = (*body)["error_code"];
    // An integer outside int (2^32 + 30003) would wrap into a valid code: refuse it.
    const bool in_range = v.is_number_unsigned()
                              ? v.get<std::uint64_t>() <= std::numeric_limits<int>::max()
                              : v.is_number_integer() &&
                                    v.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                                    v.get<std::int64_t>() <= std::numeric_limits<int>::max();
    if (!in_range) {
      return write_error(res, errors::invalid_parameter("error_code", "expected an integer"));
    }
    error_code = v.get<int>();
  }
  auto m = d.engine.advance(req.matches[1].str(), status, error_code, req.path);
  if (!m) return write_error(res, m.error());
  write_json(res, 200, message_json(*m));
}

void list_magic(Deps& /*d*/, const httplib::Request& /*req*/, httplib::Response& res) {
  ordered_json out;
  out["magic_numbers"] = ordered_json::array();
  for (const auto& row : magic_numbers()) {
    ordered_json j;
    j["number"] = row.number;
    j["scope"] = to_string(row.scope);
    j["effect"] = to_string(row.effect);
    j["code"] = row.code == 0 ? ordered_json(nullptr) : ordered_json(row.code);
    j["delay_seconds"] = row.delay_seconds;
    j["description"] = row.description;
    out["magic_numbers"].push_back(j);
  }
  write_json(res, 200, out);
}

void receive_inbound(Deps& d, const httplib::Request& req, httplib::Response& res) {
  InboundRequest request;
  const auto body = common::body_of(req);
  if (body.kind == common::RequestBody::Kind::kJson) {
    auto j = json::parse(body.raw, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return write_error(res, errors::invalid_parameter("body", "expected a JSON object"));
    }
    auto text = [&](const char* key) -> std::optional<std::string> {
      if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
      return std::nullopt;
    };
    request = {text("From"), text("To"), text("Body")};
  } else {
    request = {body.fields.get("From"), body.fields.get("To"), body.fields.get("Body")};
  }
  auto result = d.inbound.receive(request);
  if (!result) return write_error(res, result.error());
  ordered_json out;
  out["message"] = message_json(result->inbound);
  out["replies"] = ordered_json::array();
  for (const auto& m : result->replies) out["replies"].push_back(message_json(m));
  out["webhook"] = result->webhook ? callback_json(*result->webhook) : ordered_json(nullptr);
  write_json(res, 201, out);
}

}  // namespace mock::twilio::http
