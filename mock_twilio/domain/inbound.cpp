#include "mock_twilio/domain/inbound.hpp"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "mock_twilio/domain/keywords.hpp"
#include "mock_twilio/domain/phone.hpp"
#include "mock_twilio/domain/segments.hpp"
#include "mock_twilio/domain/twiml.hpp"

namespace mock::twilio {
namespace {

constexpr int kRetrievalFailure = 11200;  // Twilio debugger: HTTP retrieval failure
constexpr int kDocumentParseFailure = 12100;

std::string country_of(const std::string& number) { return number.starts_with("+1") ? "US" : ""; }

}  // namespace

Params inbound_webhook_params(const Message& m, const std::optional<std::string>& opt_out_type) {
  const std::string from = m.from.value_or("");
  Params p{{"ToCountry", country_of(m.to)},
           {"ToState", ""},
           {"SmsMessageSid", m.sid},
           {"NumMedia", std::to_string(m.num_media)},
           {"ToCity", ""},
           {"FromZip", ""},
           {"SmsSid", m.sid},
           {"FromState", ""},
           {"SmsStatus", "received"},
           {"FromCity", ""},
           {"Body", m.body},
           {"FromCountry", country_of(from)},
           {"To", m.to}};
  if (m.messaging_service_sid) p.emplace_back("MessagingServiceSid", *m.messaging_service_sid);
  p.emplace_back("ToZip", "");
  p.emplace_back("NumSegments", std::to_string(m.num_segments));
  p.emplace_back("MessageSid", m.sid);
  p.emplace_back("AccountSid", m.account_sid);
  p.emplace_back("From", from);
  p.emplace_back("ApiVersion", "2010-04-01");
  if (opt_out_type) p.emplace_back("OptOutType", *opt_out_type);
  return p;
}

Message Inbound::reply(const Message& inbound, const std::string& from, const std::string& to,
                       const std::string& body, const Account& account) {
  Message m;
  m.sid = ids_.sid("SM");
  m.account_sid = inbound.account_sid;
  m.messaging_service_sid = inbound.messaging_service_sid;
  m.from = from;
  m.to = to;
  m.body = body;
  m.status = MessageStatus::kQueued;
  m.direction = Direction::kOutboundReply;
  m.num_segments = count_segments(body).segments;
  m.price_unit = "USD";
  m.date_created = m.date_updated = lifecycle_.clock().now();
  lifecycle_.schedule_initial(m, account);
  // As Messaging::create_message (StatusEngine::store_created): stored with the steps already
  // due, returned as queued.
  std::optional<MessagingService> service;
  if (m.messaging_service_sid) {
    service = repo_.find_messaging_service(m.account_sid, *m.messaging_service_sid);
  }
  engine_.store_created(m, service ? &*service : nullptr);
  return m;
}

common::Result<InboundResult, ApiError> Inbound::receive(const InboundRequest& request) {
  if (!request.from || request.from->empty()) {
    return common::fail(errors::invalid_parameter("From", "is required"));
  }
  if (!request.to || request.to->empty()) {
    return common::fail(errors::invalid_parameter("To", "is required"));
  }
  const auto from = normalize_phone(*request.from);
  if (!from) {
    return common::fail(errors::invalid_parameter(
        "From", fmt::format("'{}' is not a phone number", *request.from)));
  }
  const auto to = normalize_phone(*request.to);
  if (!to) {
    return common::fail(
        errors::invalid_parameter("To", fmt::format("'{}' is not a phone number", *request.to)));
  }
  const auto number = repo_.find_number_owner(*to);
  const auto service = repo_.find_service_by_sender(*to);
  if (!number && !service) return common::fail(errors::unknown_inbound_number(*to));
  const std::string account_sid = number ? number->account_sid : service->account_sid;
  const auto account = repo_.find_account(account_sid);
  if (!account) return common::fail(errors::unknown_inbound_number(*to));

  InboundResult out;
  Message& m = out.inbound;
  const auto now = lifecycle_.clock().now();
  m.sid = ids_.sid("SM");
  m.account_sid = account_sid;
  if (service && service->account_sid == account_sid) m.messaging_service_sid = service->sid;
  m.from = *from;
  m.to = *to;
  m.body = request.body.value_or("");
  m.status = MessageStatus::kReceived;
  m.direction = Direction::kInbound;
  m.num_segments = count_segments(m.body).segments;
  m.date_created = m.date_updated = now;
  m.date_sent = now;
  {
    std::lock_guard lock(lifecycle_.message_mutex());
    repo_.insert_message(m);
  }

  // Keywords: opt-out state and Twilio's own auto-reply.
  const auto keyword = classify_keyword(m.body);
  std::optional<std::string> opt_out_type;
  if (keyword) {
    opt_out_type = std::string(to_string(*keyword));
    if (*keyword == Keyword::kOptOut) repo_.set_opted_out(account_sid, *from, true);
    if (*keyword == Keyword::kOptIn) repo_.set_opted_out(account_sid, *from, false);
    out.replies.push_back(reply(m, *to, *from, std::string(auto_reply(*keyword)), *account));
  }

  std::optional<std::string> url = number ? number->sms_url : std::nullopt;
  if (!url && service && service->account_sid == account_sid) url = service->inbound_request_url;
  if (url && !url->empty()) {
    CallbackAttempt a;
    a.kind = CallbackKind::kInbound;
    a.account_sid = account_sid;
    a.message_sid = m.sid;
    a.url = *url;
    a.params = inbound_webhook_params(m, opt_out_type);
    a.signature = twilio_signature(account->auth_token, a.url, a.params);
    a.idempotency_token = ids_.uuid4();
    a.due_at = now;
    const auto response = sender_.post(
        {a.url, a.params, a.signature, a.idempotency_token, engine_.callback_options().timeout});
    a.attempted_at = lifecycle_.clock().now();
    a.response_code = response.status;
    a.latency_ms = response.latency.count();
    const bool ok = response.status && *response.status >= 200 && *response.status < 300;
    a.state = ok ? CallbackState::kDelivered : CallbackState::kFailed;
    std::optional<int> error;
    if (!ok) {
      a.error = response.status ? fmt::format("HTTP {}", *response.status) : response.error;
      error = kRetrievalFailure;
    } else if (auto twiml = parse_twiml(response.body); !twiml) {
      a.error = "TwiML: " + twiml.error();
      error = kDocumentParseFailure;
    } else {
      for (const auto& verb : *twiml) {
        const auto reply_to = verb.to ? normalize_phone(*verb.to) : from;
        const auto reply_from = verb.from ? normalize_phone(*verb.from) : to;
        if (!reply_to || !reply_from) continue;
        if (repo_.is_opted_out(account_sid, *reply_to)) continue;  // 21610: not sent
        out.replies.push_back(reply(m, *reply_from, *reply_to, verb.body, *account));
      }
    }
    a.id = repo_.insert_callback(a);
    out.webhook = a;
    if (error) {
      std::lock_guard lock(lifecycle_.message_mutex());
      m.error_code = error;
      m.error_message =
          *error == kRetrievalFailure ? "HTTP retrieval failure" : "Document parse failure";
      repo_.update_message(m);
    }
  }
  if (!out.replies.empty()) engine_.wake();
  return out;
}

}  // namespace mock::twilio
