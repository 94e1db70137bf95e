#pragma once
// Simulated inbound messages (twilio-messaging.md §8; POST /_mock/twilio/inbound):
//   1. the To number must be a phone number or a Messaging Service sender of some account;
//   2. an inbound message is stored (direction inbound, status received);
//   3. STOP/START/HELP keywords (keywords.hpp) update the account's opt-out list for From
//      and queue Twilio's default auto-reply as an outbound-reply message;
//   4. Twilio's inbound webhook parameters are POSTed, signed, to the number's sms_url (else
//      the service's inbound_request_url), synchronously, and recorded as a callback attempt
//      (kind inbound, no retries: Twilio does not retry these either);
//   5. each TwiML <Message> in a 2xx answer becomes an outbound-reply message (From/To
//      swapped unless the verb says otherwise); they then progress like any send.
// A failed fetch is recorded on the inbound message as 11200, unparsable TwiML as 12100.
// Thread safety: receive() may be called concurrently.

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mock_twilio/domain/callbacks.hpp"
#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/lifecycle.hpp"
#include "mock_twilio/domain/repository.hpp"
#include "mock_twilio/domain/status_engine.hpp"
#include "mock_twilio/domain/webhooks.hpp"

namespace mock::twilio {

struct InboundRequest {
  std::optional<std::string> from;  // the end user
  std::optional<std::string> to;    // the account's number
  std::optional<std::string> body;
};

struct InboundResult {
  Message inbound;
  std::vector<Message> replies;            // auto-reply first, then the TwiML replies
  std::optional<CallbackAttempt> webhook;  // nullopt when no URL is configured
};

// Twilio's inbound webhook parameters for `m` (§8 table, in the real body's order).
Params inbound_webhook_params(const Message& m, const std::optional<std::string>& opt_out_type);

class Inbound {
 public:
  Inbound(MessageRepository& repo, common::IdGenerator& ids, Lifecycle& lifecycle,
          StatusEngine& engine, WebhookSender& sender)
      : repo_(repo), ids_(ids), lifecycle_(lifecycle), engine_(engine), sender_(sender) {}

  // Errors: 20001 "Invalid From/To: ..." for a missing or non-E.164 number, 20404 when no
  // account owns To.
  common::Result<InboundResult, ApiError> receive(const InboundRequest& request);

 private:
  Message reply(const Message& inbound, const std::string& from, const std::string& to,
                const std::string& body, const Account& account);

  MessageRepository& repo_;
  common::IdGenerator& ids_;
  Lifecycle& lifecycle_;
  StatusEngine& engine_;
  WebhookSender& sender_;
};

}  // namespace mock::twilio
