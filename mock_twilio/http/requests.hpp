#pragma once
// Decoded form/query fields -> domain request structs (no httplib here, so it is unit-tested
// on its own). Field names are Twilio's (case-sensitive); unknown fields are ignored;
// repeated MediaUrl keys are all kept, in order.

#include "common/form.hpp"
#include "mock_twilio/domain/messaging.hpp"

namespace mock::twilio::http {

CreateMessageRequest create_request_from(const common::Form& form);
ListMessageRequest list_request_from(const common::Form& query);
UpdateMessageRequest update_request_from(const common::Form& form);

}  // namespace mock::twilio::http
