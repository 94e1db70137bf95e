#include "mock_twilio/domain/errors.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {
namespace {

struct Case {
  ApiError error;
  int status;
  int code;
  const char* message;
};

}  // namespace

TEST_CASE("every catalogue entry pairs its status / code and message", "[twilio][errors]") {
  const Case cases[] = {
      {errors::authenticate(), 401, 20003, "Authenticate"},
      {errors::not_found("/2010-04-01/Accounts/AC1/Messages/SM1.json"), 404, 20404,
       "The requested resource /2010-04-01/Accounts/AC1/Messages/SM1.json was not found"},
      {errors::to_required(), 400, 21604, "A 'To' phone number is required."},
      {errors::from_required(), 400, 21603, "A 'From' phone number is required."},
      {errors::body_required(), 400, 21602, "Message body is required."},
      {errors::invalid_to_number("5551234"), 400, 21211,
       "The 'To' number 5551234 is not a valid phone number."},
      {errors::invalid_from_number("+3197"), 400, 21212,
       "The 'From' number +3197 is not a valid phone number, shortcode, or alphanumeric sender "
       "ID."},
      {errors::from_not_sms_capable("+15550000000"), 400, 21606,
       "The From phone number +15550000000 is not a valid, SMS-capable inbound phone number or "
       "short code for your account."},
      {errors::body_too_long(), 400, 21617,
       "The concatenated message body exceeds the 1600 character limit."},
      {errors::delete_before_complete(), 400, 20009,
       "Cannot delete this resource before it is complete"},
      {errors::redact_before_complete(), 400, 20009,
       "Cannot redact this resource before it is complete"},
      {errors::cannot_cancel(), 400, 30409, "This message cannot be canceled"},
      {errors::invalid_messaging_service("MG1"), 400, 21705,
       "The Messaging Service Sid MG1 is invalid."},
      {errors::invalid_content_sid(), 400, 21655, "The ContentSid is Invalid."},
      {errors::too_many_media(), 400, 21623, "Number of media files exceeds allowed limit."},
      {errors::from_queue_full(), 400, 21611,
       "This 'From' number has exceeded the maximum number of queued messages"},
      {errors::to_unreachable("+15005550002", "+15005550006"), 400, 21612,
       "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone "
       "number: +15005550006 via SMS."},
      {errors::to_no_permission("+15005550003"), 400, 21408,
       "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
       "number: +15005550003."},
      {errors::to_unsubscribed(), 400, 21610, "Attempt to send to unsubscribed recipient"},
      {errors::to_not_mobile(), 400, 21614, "'To' number is not a valid mobile number"},
      {errors::invalid_parameter("PageSize", "'0' is not an integer from 1 to 1000"), 400, 20001,
       "Invalid PageSize: '0' is not an integer from 1 to 1000"},
      {errors::request_too_large(1048576), 413, 20413,
       "Request body exceeds the 1048576-byte limit"},
      {errors::internal_error(), 500, 20500, "Internal Server Error"},
      {errors::http_error(400), 400, 20400, "Bad Request"},
      {errors::http_error(414), 414, 20414, "URI Too Long"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CHECK(c.error.http_status == c.status);
    CHECK(c.error.code == c.code);
    CHECK(c.error.message == c.message);
    CHECK(c.error.more_info() == "https://www.twilio.com/docs/errors/" + std::to_string(c.code));
  }
}

}  // namespace mock::twilio
