#include "mock_twilio/http/serialize.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string_view>

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

namespace {

void append_two_digits(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// Appends strftime's "%a, %d %b %Y %H:%M:%S +0000" (C locale) for years 1000-9999; false,
// appending nothing, for other years. Three dates per message: gmtime_r + strftime cost more
// than the rest of the message's text.
bool append_rfc2822_fast(std::string& out, TimePoint t) {
  using namespace std::chrono;
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  if (y < 1000 || y > 9999) return false;
  const hh_mm_ss hms{secs - day};
  out += kDays[weekday{day}.c_encoding()];
  out += ", ";
  append_two_digits(out, static_cast<unsigned>(ymd.day()));
  out += ' ';
  out += kMonths[static_cast<unsigned>(ymd.month()) - 1];
  out += ' ';
  append_two_digits(out, static_cast<unsigned>(y / 100));
  append_two_digits(out, static_cast<unsigned>(y % 100));
  out += ' ';
  append_two_digits(out, static_cast<unsigned>(hms.hours().count()));
  out += ':';
  append_two_digits(out, static_cast<unsigned>(hms.minutes().count()));
  out += ':';
  append_two_digits(out, static_cast<unsigned>(hms.seconds().count()));
  out += " +0000";
  return true;
}

std::string format_rfc2822_strftime(TimePoint t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  // The process never calls setlocale(), so strftime runs in the C locale (English names).
  const std::size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

void append_rfc2822(std::string& out, TimePoint t) {
  if (!append_rfc2822_fast(out, t)) out += format_rfc2822_strftime(t);
}

// Appends `text` as a JSON string, byte for byte as nlohmann's dump(-1, ' ', false,
// error_handler_t::replace) writes it: printable ASCII is copied, anything else (escapes,
// UTF-8, invalid bytes) goes through nlohmann itself.
void append_json_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += nlohmann::ordered_json(std::string(text))
             .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void append_json_nullable(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    append_json_string(out, *text);
  } else {
    out += "null";
  }
}

}  // namespace

std::string format_rfc2822(TimePoint t) {
  std::string out;
  append_rfc2822(out, t);
  return out;
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

std::string message_text(const Message& m) {
  // The keys and values of message_json, in its order.
  std::string out;
  out.reserve(640 + m.body.size());
  out += "{\"account_sid\":";
  append_json_string(out, m.account_sid);
  out += ",\"api_version\":\"";
  out += kApiVersion;
  out += "\",\"body\":";
  append_json_string(out, m.body);
  out += ",\"date_created\":\"";
  append_rfc2822(out, m.date_created);
  out += "\",\"date_sent\":";
  if (m.date_sent) {
    out += '"';
    append_rfc2822(out, *m.date_sent);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"date_updated\":\"";
  append_rfc2822(out, m.date_updated);
  out += "\",\"direction\":";
  append_json_string(out, to_string(m.direction));
  out += ",\"error_code\":";
  out += m.error_code ? std::to_string(*m.error_code) : std::string("null");
  out += ",\"error_message\":";
  append_json_nullable(out, m.error_message);
  out += ",\"from\":";
  append_json_nullable(out, m.from);
  out += ",\"messaging_service_sid\":";
  append_json_nullable(out, m.messaging_service_sid);
  out += ",\"num_media\":\"";
  out += std::to_string(m.num_media);
  out += "\",\"num_segments\":\"";
  out += std::to_string(m.num_segments);
  out += "\",\"price\":";
  append_json_nullable(out, m.price);
  out += ",\"price_unit\":";
  append_json_nullable(out, m.price_unit);
  out += ",\"sid\":";
  append_json_string(out, m.sid);
  out += ",\"status\":";
  append_json_string(out, to_string(m.status));
  // The URIs: the SIDs are written as message_json writes them (inside one string each).
  const std::string base =
      fmt::format("/{}/Accounts/{}/Messages/{}", kApiVersion, m.account_sid, m.sid);
  out += ",\"subresource_uris\":{\"media\":";
  append_json_string(out, base + "/Media.json");
  out += ",\"feedback\":";
  append_json_string(out, base + "/Feedback.json");
  out += "},\"to\":";
  append_json_string(out, m.to);
  out += ",\"uri\":";
  append_json_string(out, base + ".json");
  out += '}';
  return out;
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

void write_json_text(httplib::Response& res, int status, std::string body) {
  // set_content() without its copy of the body.
  res.status = status;
  res.body = std::move(body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "application/json");
}

void write_error(httplib::Response& res, const ApiError& error) {
  if (error.http_status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  write_json(res, error.http_status, error_json(error));
}

}  // namespace mock::twilio::http
