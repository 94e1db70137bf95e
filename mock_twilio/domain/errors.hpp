#pragma once
// The error catalogue of mock_twilio: the ONLY place pairing a Twilio error code with an HTTP
// status and a message (house-style §3.3). Domain code names errors (errors::invalid_to_number)
// and never spells a number. Texts follow twilio-messaging.md §2/§3 where a real response was
// seen; where only a docs title is known the title is used; codes the contract leaves open are
// marked "choice" and listed in the README's "Deviations and choices".

#include <cstddef>
#include <string>
#include <string_view>

namespace mock::twilio {

struct ApiError {
  int http_status = 500;
  int code = 20500;
  std::string message;
  // https://www.twilio.com/docs/errors/<code>
  std::string more_info() const;
};

namespace errors {

// 401/20003 "Authenticate": missing, malformed or wrong credentials, or credentials of
// another account than the path's.
ApiError authenticate();
// 404/20404 "The requested resource <path> was not found" (path without the query).
ApiError not_found(std::string_view path);
// 400/21604 "A 'To' phone number is required."
ApiError to_required();
// 400/21603 "A 'From' phone number is required."
ApiError from_required();
// 400/21602 "Message body is required."
ApiError body_required();
// 400/21211 "The 'To' number <to> is not a valid phone number." (number echoed as given)
ApiError invalid_to_number(std::string_view to);
// 400/21212 "The 'From' number <from> is not a valid phone number, shortcode, or
// alphanumeric sender ID."
ApiError invalid_from_number(std::string_view from);
// 400/21606 "The From phone number <from> is not a valid, SMS-capable inbound phone number
// or short code for your account."
ApiError from_not_sms_capable(std::string_view from);
// 400/21617 "The concatenated message body exceeds the 1600 character limit."
ApiError body_too_long();
// 400/20009 "Cannot delete this resource before it is complete" (status: choice, §1.6).
ApiError delete_before_complete();
// 400/20009 for a redaction (Body="") of a message that is not final yet (choice, §1.5).
ApiError redact_before_complete();
// 400/30409 "This message cannot be canceled"
ApiError cannot_cancel();
// 400/21705 "The Messaging Service Sid <sid> is invalid." (a service that is not one of the
// account's in the fixture, or has no sender)
ApiError invalid_messaging_service(std::string_view sid);
// 400/21655 "The ContentSid is Invalid." (Content templates are not modelled; choice)
ApiError invalid_content_sid();
// 400/21623 "Number of media files exceeds allowed limit." (more than 10 MediaUrl)
ApiError too_many_media();
// Test credentials' magic numbers (§4).
ApiError from_queue_full();                                           // 400/21611
ApiError to_unreachable(std::string_view to, std::string_view from);  // 400/21612
ApiError to_no_permission(std::string_view to);                       // 400/21408
ApiError to_unsubscribed();                                           // 400/21610
ApiError to_not_mobile();                                             // 400/21614
// Scheduling (twilio-messaging.md §1.1; texts: choice, only the docs titles are known).
ApiError send_at_required();                       // 400/35111 ScheduleType=fixed without SendAt
ApiError send_at_unsupported(std::string_view);    // 400/35114 SendAt unparsable / outside window
ApiError schedule_type_invalid(std::string_view);  // 400/35115 ScheduleType other than fixed
ApiError schedule_needs_service();                 // 400/35118 scheduling without a service
// 404/20404 for /_mock/twilio/inbound when To is no number or sender of any account.
ApiError unknown_inbound_number(std::string_view to);
// The name of a 300xx delivery error (twilio-messaging.md §3 "Delivery errors"); "Unknown
// error" for codes outside the table. Not an HTTP error: it lands in error_message.
std::string_view delivery_error_message(int code);
// True for the 300xx codes above.
bool is_delivery_error(int code);
// 400/20001 "Invalid <name>: <detail>" (PageSize, Page, PageToken, DateSent*, Status, Body
// on update; code and text: choice, Twilio's are unknown).
ApiError invalid_parameter(std::string_view name, std::string_view detail);
// 413/20413 "Request body exceeds the <limit>-byte limit" (choice).
ApiError request_too_large(std::size_t limit);
// 500/20500 "Internal Server Error".
ApiError internal_error();
// Any other HTTP-level failure raised by the HTTP library before a handler ran (bad request
// line, headers too long, ...): status as given, code 20000 + status, the reason phrase.
ApiError http_error(int http_status);

}  // namespace errors
}  // namespace mock::twilio
