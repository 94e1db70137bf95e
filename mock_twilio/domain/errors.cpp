#include "mock_twilio/domain/errors.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

namespace mock::twilio {

std::string ApiError::more_info() const {
  return fmt::format("https://www.twilio.com/docs/errors/{}", code);
}

namespace errors {
namespace {

ApiError bad_request(int code, std::string message) { return {400, code, std::move(message)}; }

}  // namespace

ApiError authenticate() { return {401, 20003, "Authenticate"}; }

ApiError not_found(std::string_view path) {
  return {404, 20404, fmt::format("The requested resource {} was not found", path)};
}

ApiError to_required() { return bad_request(21604, "A 'To' phone number is required."); }

ApiError from_required() { return bad_request(21603, "A 'From' phone number is required."); }

ApiError body_required() { return bad_request(21602, "Message body is required."); }

ApiError invalid_to_number(std::string_view to) {
  return bad_request(21211, fmt::format("The 'To' number {} is not a valid phone number.", to));
}

ApiError invalid_from_number(std::string_view from) {
  return bad_request(21212, fmt::format("The 'From' number {} is not a valid phone number, "
                                        "shortcode, or alphanumeric sender ID.",
                                        from));
}

ApiError from_not_sms_capable(std::string_view from) {
  return bad_request(21606, fmt::format("The From phone number {} is not a valid, SMS-capable "
                                        "inbound phone number or short code for your account.",
                                        from));
}

ApiError body_too_long() {
  return bad_request(21617, "The concatenated message body exceeds the 1600 character limit.");
}

ApiError delete_before_complete() {
  return bad_request(20009, "Cannot delete this resource before it is complete");
}

ApiError redact_before_complete() {
  return bad_request(20009, "Cannot redact this resource before it is complete");
}

ApiError cannot_cancel() { return bad_request(30409, "This message cannot be canceled"); }

ApiError invalid_messaging_service(std::string_view sid) {
  return bad_request(21705, fmt::format("The Messaging Service Sid {} is invalid.", sid));
}

ApiError invalid_content_sid() { return bad_request(21655, "The ContentSid is Invalid."); }

ApiError too_many_media() {
  return bad_request(21623, "Number of media files exceeds allowed limit.");
}

ApiError from_queue_full() {
  return bad_request(21611,
                     "This 'From' number has exceeded the maximum number of queued messages");
}

ApiError to_unreachable(std::string_view to, std::string_view from) {
  return bad_request(21612, fmt::format("The 'To' phone number: {}, is not currently reachable "
                                        "using the 'From' phone number: {} via SMS.",
                                        to, from));
}

ApiError to_no_permission(std::string_view to) {
  return bad_request(21408, fmt::format("Permission to send an SMS has not been enabled for the "
                                        "region indicated by the 'To' number: {}.",
                                        to));
}

ApiError to_unsubscribed() {
  return bad_request(21610, "Attempt to send to unsubscribed recipient");
}

ApiError to_not_mobile() { return bad_request(21614, "'To' number is not a valid mobile number"); }

ApiError send_at_required() {
  return bad_request(35111, "SendAt is required when ScheduleType is fixed");
}

ApiError send_at_unsupported(std::string_view send_at) {
  return bad_request(35114,
                     fmt::format("Scheduling does not support this timestamp: {} (SendAt must be "
                                 "YYYY-MM-DDTHH:MM:SSZ, 15 minutes to 35 days ahead)",
                                 send_at));
}

ApiError schedule_type_invalid(std::string_view type) {
  return bad_request(35115, fmt::format("ScheduleType '{}' is not supported (only fixed)", type));
}

ApiError schedule_needs_service() {
  return bad_request(35118, "MessagingServiceSid is required to schedule a message");
}

ApiError unknown_inbound_number(std::string_view to) {
  return {404, 20404,
          fmt::format("The requested resource {} was not found (no account owns this number)", to)};
}

namespace {
constexpr std::array<std::pair<int, std::string_view>, 10> kDeliveryErrors{{
    {30001, "Queue overflow"},
    {30002, "Account suspended"},
    {30003, "Unreachable destination handset"},
    {30004, "Message blocked"},
    {30005, "Unknown destination handset"},
    {30006, "Landline or unreachable carrier"},
    {30007, "Carrier violation"},
    {30008, "Unknown error"},
    {30009, "Missing segment"},
    {30010, "Message price exceeds max price"},
}};
}  // namespace

std::string_view delivery_error_message(int code) {
  for (const auto& [c, text] : kDeliveryErrors) {
    if (c == code) return text;
  }
  return "Unknown error";
}

bool is_delivery_error(int code) {
  for (const auto& [c, text] : kDeliveryErrors) {
    if (c == code) return true;
  }
  return false;
}

ApiError invalid_parameter(std::string_view name, std::string_view detail) {
  return bad_request(20001, fmt::format("Invalid {}: {}", name, detail));
}

ApiError request_too_large(std::size_t limit) {
  return {413, 20413, fmt::format("Request body exceeds the {}-byte limit", limit)};
}

ApiError internal_error() { return {500, 20500, "Internal Server Error"}; }

ApiError http_error(int http_status) {
  std::string_view reason = "Error";
  switch (http_status) {
    case 400:
      reason = "Bad Request";
      break;
    case 404:
      reason = "Not Found";
      break;
    case 405:
      reason = "Method Not Allowed";
      break;
    case 408:
      reason = "Request Timeout";
      break;
    case 411:
      reason = "Length Required";
      break;
    case 413:
      reason = "Payload Too Large";
      break;
    case 414:
      reason = "URI Too Long";
      break;
    case 415:
      reason = "Unsupported Media Type";
      break;
    case 416:
      reason = "Range Not Satisfiable";
      break;
    case 417:
      reason = "Expectation Failed";
      break;
    case 431:
      reason = "Request Header Fields Too Large";
      break;
    case 500:
      reason = "Internal Server Error";
      break;
    case 501:
      reason = "Not Implemented";
      break;
    case 503:
      reason = "Service Unavailable";
      break;
    default:
      break;
  }
  return {http_status, 20000 + http_status, std::string(reason)};
}

}  // namespace errors
}  // namespace mock::twilio
