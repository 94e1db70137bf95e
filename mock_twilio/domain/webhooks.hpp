#pragma once
// Outbound webhooks (status callbacks, inbound-message webhooks): the X-Twilio-Signature
// (twilio-messaging.md §5.1) and the WebhookSender interface, implemented in http/ with
// httplib::Client (house-style §3.1 "Outbound HTTP sits behind interfaces"); unit tests plug
// in a recording fake.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock::twilio {

using Params = std::vector<std::pair<std::string, std::string>>;

// base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...)) with the params
// sorted by name (byte order), repeated names' values deduplicated and sorted (§5.1).
std::string twilio_signature(const std::string& auth_token, const std::string& url,
                             const Params& params);

// The I-Twilio-Idempotency-Token of one webhook event, UUID-shaped: derived from the event
// itself (sha256 of `event_key`, e.g. message SID + status + time) rather than drawn from the
// id sequence, so the status worker never consumes ids that requests also draw (same --seed
// and requests = same SIDs whatever the worker's timing), and a duplicate or retry of the
// event carries the same token, as Twilio's do.
std::string idempotency_token(std::string_view event_key);

struct WebhookRequest {
  std::string url;
  Params params;  // sent form-encoded, in this order
  std::string signature;
  std::string idempotency_token;
  std::chrono::milliseconds timeout{5000};
};

struct WebhookResponse {
  std::optional<int> status;  // nullopt: no HTTP response (refused, timeout, bad URL)
  std::string body;
  std::string content_type;
  std::string error;  // why there was no response ("connection refused", "timeout", ...)
  std::chrono::milliseconds latency{0};
};

// Thread safety: implementations must allow concurrent post() calls.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // POSTs the params form-encoded with X-Twilio-Signature, I-Twilio-Idempotency-Token and
  // User-Agent: TwilioProxy/1.1. Never throws.
  virtual WebhookResponse post(const WebhookRequest& request) = 0;
};

}  // namespace mock::twilio
