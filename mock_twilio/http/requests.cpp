#include "mock_twilio/http/requests.hpp"

namespace mock::twilio::http {

CreateMessageRequest create_request_from(const common::Form& form) {
  CreateMessageRequest r;
  r.to = form.get("To");
  r.from = form.get("From");
  r.messaging_service_sid = form.get("MessagingServiceSid");
  r.body = form.get("Body");
  r.content_sid = form.get("ContentSid");
  r.status_callback = form.get("StatusCallback");
  r.media_urls = form.all("MediaUrl");
  r.schedule_type = form.get("ScheduleType");
  r.send_at = form.get("SendAt");
  return r;
}

ListMessageRequest list_request_from(const common::Form& query) {
  // Keys arrive decoded: DateSent%3E -> "DateSent>".
  ListMessageRequest r;
  r.to = query.get("To");
  r.from = query.get("From");
  r.date_sent = query.get("DateSent");
  r.date_sent_before = query.get("DateSent<");
  r.date_sent_after = query.get("DateSent>");
  r.page_size = query.get("PageSize");
  r.page = query.get("Page");
  r.page_token = query.get("PageToken");
  return r;
}

UpdateMessageRequest update_request_from(const common::Form& form) {
  return UpdateMessageRequest{form.get("Body"), form.get("Status")};
}

}  // namespace mock::twilio::http
