#include "mock_twilio/http/serialize.hpp"

#include <ctime>

#include <fmt/format.h>

#include "common/form.hpp"

namespace mock::twilio::http {
namespace {

nlohmann::ordered_json opt(const std::optional<std::string>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

std::string list_uri(const std::string& account_sid) {
  return fmt::format("/{}/Accounts/{}/Messages.json", kApiVersion, account_sid);
}

// Filters echoed in page URIs, in Twilio's order.
std::vector<common::Form::Field> filter_fields(const ListMessageRequest& r) {
  std::vector<common::Form::Field> out;
  if (r.to) out.emplace_back("To", *r.to);
  if (r.from) out.emplace_back("From", *r.from);
  if (r.date_sent) out.emplace_back("DateSent", *r.date_sent);
  if (r.date_sent_before) out.emplace_back("DateSent<", *r.date_sent_before);
  if (r.date_sent_after) out.emplace_back("DateSent>", *r.date_sent_after);
  return out;
}

std::string page_uri(const std::string& account_sid, const ListMessageRequest& r, int page_size,
                     int page, const std::optional<std::string>& token) {
  auto fields = filter_fields(r);
  fields.emplace_back("PageSize", std::to_string(page_size));
  fields.emplace_back("Page", std::to_string(page));
  if (token) fields.emplace_back("PageToken", *token);
  return list_uri(account_sid) + "?" + common::encode_form(fields);
}

}  // namespace

std::string format_rfc2822(TimePoint t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  // The process never calls setlocale(), so strftime runs in the C locale (English names).
  const std::size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

std::string message_uri(const Message& m) {
  return fmt::format("/{}/Accounts/{}/Messages/{}.json", kApiVersion, m.account_sid, m.sid);
}

nlohmann::ordered_json message_json(const Message& m) {
  const std::string base =
      fmt::format("/{}/Accounts/{}/Messages/{}", kApiVersion, m.account_sid, m.sid);
  nlohmann::ordered_json j;
  j["account_sid"] = m.account_sid;
  j["api_version"] = kApiVersion;
  j["body"] = m.body;
  j["date_created"] = format_rfc2822(m.date_created);
  j["date_sent"] = m.date_sent ? nlohmann::ordered_json(format_rfc2822(*m.date_sent))
                               : nlohmann::ordered_json(nullptr);
  j["date_updated"] = format_rfc2822(m.date_updated);
  j["direction"] = to_string(m.direction);
  j["error_code"] =
      m.error_code ? nlohmann::ordered_json(*m.error_code) : nlohmann::ordered_json(nullptr);
  j["error_message"] = opt(m.error_message);
  j["from"] = opt(m.from);
  j["messaging_service_sid"] = opt(m.messaging_service_sid);
  j["num_media"] = std::to_string(m.num_media);
  j["num_segments"] = std::to_string(m.num_segments);
  j["price"] = opt(m.price);
  j["price_unit"] = opt(m.price_unit);
  j["sid"] = m.sid;
  j["status"] = to_string(m.status);
  j["subresource_uris"] = {{"media", base + "/Media.json"}, {"feedback", base + "/Feedback.json"}};
  j["to"] = m.to;
  j["uri"] = base + ".json";
  return j;
}

nlohmann::ordered_json page_json(const std::string& account_sid, const ListMessageRequest& request,
                                 const MessagePage& page) {
  const int n = static_cast<int>(page.messages.size());
  const int start = page.page * page.page_size;
  nlohmann::ordered_json j;
  j["end"] = n == 0 ? 0 : start + n - 1;
  j["first_page_uri"] = page_uri(account_sid, request, page.page_size, 0, std::nullopt);
  j["next_page_uri"] = page.next_page_token
                           ? nlohmann::ordered_json(page_uri(account_sid, request, page.page_size,
                                                             page.page + 1, page.next_page_token))
                           : nlohmann::ordered_json(nullptr);
  j["page"] = page.page;
  j["page_size"] = page.page_size;
  j["previous_page_uri"] =
      page.previous_page_token
          ? nlohmann::ordered_json(page_uri(account_sid, request, page.page_size, page.page - 1,
                                            page.previous_page_token))
          : nlohmann::ordered_json(nullptr);
  j["start"] = start;
  j["uri"] = page_uri(account_sid, request, page.page_size, page.page, request.page_token);
  j["messages"] = nlohmann::ordered_json::array();
  for (const auto& m : page.messages) j["messages"].push_back(message_json(m));
  return j;
}

nlohmann::ordered_json error_json(const ApiError& error) {
  nlohmann::ordered_json j;
  j["code"] = error.code;
  j["message"] = error.message;
  j["more_info"] = error.more_info();
  j["status"] = error.http_status;
  return j;
}

void write_json(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  // error_handler_t::replace: a stored body with invalid UTF-8 never throws here.
  res.set_content(body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                  "application/json");
}

void write_error(httplib::Response& res, const ApiError& error) {
  if (error.http_status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  write_json(res, error.http_status, error_json(error));
}

}  // namespace mock::twilio::http
