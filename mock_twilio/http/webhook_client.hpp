#pragma once
// WebhookSender over httplib::Client (house-style §3.1): one short-lived connection per
// webhook, TCP_NODELAY, connect/read/write timeouts from the request, and Twilio's headers
// (twilio-messaging.md §5): User-Agent TwilioProxy/1.1, X-Twilio-Signature,
// I-Twilio-Idempotency-Token, Content-Type application/x-www-form-urlencoded. Only http://
// URLs are reachable (the build has no TLS client): an https:// URL is recorded as an error.
// Thread safety: post() is reentrant (no shared state).

#include "mock_twilio/domain/webhooks.hpp"

namespace mock::twilio::http {

class HttplibWebhookSender final : public WebhookSender {
 public:
  WebhookResponse post(const WebhookRequest& request) override;
};

}  // namespace mock::twilio::http
