// parse_fixture(): the strict reader of the "twilio" section of a fixture file (store.hpp).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "mock_twilio/domain/phone.hpp"
#include "mock_twilio/domain/segments.hpp"
#include "mock_twilio/store/store.hpp"

namespace mock::twilio {
namespace {

constexpr const char* kE164 = R"(\+[1-9][0-9]{1,14})";

std::string sid_pattern(const std::string& prefix) { return "^" + prefix + "[0-9a-f]{32}$"; }

// YYYY-MM-DDTHH:MM:SS[.fff]Z
std::optional<TimePoint> parse_utc(const std::string& s) {
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  char tail[8] = {};
  if (s.size() < 20 ||
      std::sscanf(s.c_str(), "%4d-%2u-%2uT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &sec, tail) != 7) {
    return std::nullopt;
  }
  int ms = 0;
  const std::string rest(tail);
  if (rest == "Z") {
    ms = 0;
  } else if (rest.size() == 5 && rest[0] == '.' && rest[4] == 'Z' &&
             std::isdigit(static_cast<unsigned char>(rest[1])) != 0 &&
             std::isdigit(static_cast<unsigned char>(rest[2])) != 0 &&
             std::isdigit(static_cast<unsigned char>(rest[3])) != 0) {
    ms = std::stoi(rest.substr(1, 3));
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo},
                                        std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec) + std::chrono::milliseconds(ms);
}

std::optional<TimePoint> date_field(common::FixtureReader& r, const std::string& key,
                                    bool required) {
  std::optional<std::string> text =
      required ? std::optional(r.required_string(key)) : r.optional_string(key);
  if (!text || !r.errors().ok()) return std::nullopt;
  auto t = parse_utc(*text);
  if (!t)
    r.error(key, fmt::format("'{}' is not an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)", *text));
  return t;
}

void check_account(common::FixtureReader& r, const std::set<std::string>& accounts,
                   const std::string& key, const std::string& sid) {
  if (r.errors().ok() && !accounts.contains(sid)) {
    r.error(key, fmt::format("'{}' is not an account of this fixture", sid));
  }
}

Message read_message_row(common::FixtureReader& r, const std::set<std::string>& accounts) {
  Message m;
  m.sid = r.required_string("sid", "^(SM|MM)[0-9a-f]{32}$", "a message SID");
  m.account_sid = r.required_string("account_sid", sid_pattern("AC"), "an account SID");
  check_account(r, accounts, "account_sid", m.account_sid);
  m.to = r.required_string("to", kE164, "an E.164 number");
  m.from = r.optional_string("from", kE164, "an E.164 number");
  m.messaging_service_sid =
      r.optional_string("messaging_service_sid", sid_pattern("MG"), "a Messaging Service SID");
  m.body = r.optional_string("body").value_or("");
  if (auto s = r.optional_string("status")) {
    auto st = parse_message_status(*s);
    if (!st) r.error("status", fmt::format("'{}' is not a message status", *s));
    m.status = st.value_or(MessageStatus::kDelivered);
  } else {
    m.status = MessageStatus::kDelivered;
  }
  if (auto s = r.optional_string("direction")) {
    auto d = parse_direction(*s);
    if (!d) r.error("direction", fmt::format("'{}' is not a message direction", *s));
    m.direction = d.value_or(Direction::kOutboundApi);
  }
  m.media_urls = r.string_array("media_urls");
  m.num_media = static_cast<int>(m.media_urls.size());
  const auto segments = r.optional_int("num_segments");
  m.num_segments = segments ? static_cast<int>(*segments) : count_segments(m.body).segments;
  m.price = r.optional_string("price", R"(-?[0-9]+\.[0-9]+)", "a price such as -0.00790");
  m.price_unit = r.optional_string("price_unit", "[A-Z]{3}", "a currency code such as USD");
  if (auto e = r.optional_int("error_code")) m.error_code = static_cast<int>(*e);
  m.error_message = r.optional_string("error_message");
  m.status_callback = r.optional_string("status_callback");
  m.date_created = date_field(r, "date_created", true).value_or(TimePoint{});
  m.date_updated = date_field(r, "date_updated", false).value_or(m.date_created);
  m.date_sent = date_field(r, "date_sent", false);
  return m;
}

}  // namespace

common::Result<TwilioFixture, std::string> parse_fixture(const common::FixtureFile& file) {
  common::FixtureErrors errors(file.path);
  TwilioFixture out;
  auto section = file.doc.find("twilio");
  if (section == file.doc.end()) {
    errors.add("/twilio", "required (the mock_twilio section)");
    return common::fail(*errors.first());
  }
  {
    common::FixtureReader top(*section, "/twilio", errors);
    std::set<std::string> accounts;
    std::set<std::string> sids;
    auto unique_sid = [&](common::FixtureReader& r, const std::string& sid) {
      if (r.errors().ok() && !sids.insert(sid).second) r.error("sid", "duplicate SID");
    };
    const auto& account_rows = top.array("accounts");
    for (std::size_t i = 0; i < account_rows.size() && errors.ok(); ++i) {
      common::FixtureReader r(account_rows[i], top.pointer("accounts") + "/" + std::to_string(i),
                              errors);
      Account a;
      a.sid = r.required_string("sid", sid_pattern("AC"), "an account SID");
      unique_sid(r, a.sid);
      a.auth_token = r.required_string("auth_token");
      a.friendly_name = r.optional_string("friendly_name").value_or("");
      a.test = r.optional_bool("test", false);
      accounts.insert(a.sid);
      out.accounts.push_back(std::move(a));
    }
    const auto& key_rows = top.array("api_keys");
    for (std::size_t i = 0; i < key_rows.size() && errors.ok(); ++i) {
      common::FixtureReader r(key_rows[i], top.pointer("api_keys") + "/" + std::to_string(i),
                              errors);
      ApiKey k;
      k.sid = r.required_string("sid", sid_pattern("SK"), "an API key SID");
      unique_sid(r, k.sid);
      k.secret = r.required_string("secret");
      k.account_sid = r.required_string("account_sid", sid_pattern("AC"), "an account SID");
      check_account(r, accounts, "account_sid", k.account_sid);
      k.friendly_name = r.optional_string("friendly_name").value_or("");
      out.api_keys.push_back(std::move(k));
    }
    const auto& number_rows = top.array("phone_numbers");
    for (std::size_t i = 0; i < number_rows.size() && errors.ok(); ++i) {
      common::FixtureReader r(number_rows[i],
                              top.pointer("phone_numbers") + "/" + std::to_string(i), errors);
      PhoneNumber p;
      p.sid = r.required_string("sid", sid_pattern("PN"), "a phone number SID");
      unique_sid(r, p.sid);
      p.account_sid = r.required_string("account_sid", sid_pattern("AC"), "an account SID");
      check_account(r, accounts, "account_sid", p.account_sid);
      p.phone_number = r.required_string("phone_number", kE164, "an E.164 number");
      p.sms_capable = r.optional_bool("sms_capable", true);
      p.sms_url = r.optional_string("sms_url");
      p.status_callback = r.optional_string("status_callback");
      out.phone_numbers.push_back(std::move(p));
    }
    std::set<std::pair<std::string, std::string>> owned;  // (account, number)
    for (const auto& p : out.phone_numbers) owned.emplace(p.account_sid, p.phone_number);
    const auto& service_rows = top.array("messaging_services");
    for (std::size_t i = 0; i < service_rows.size() && errors.ok(); ++i) {
      common::FixtureReader r(service_rows[i],
                              top.pointer("messaging_services") + "/" + std::to_string(i), errors);
      MessagingService s;
      s.sid = r.required_string("sid", sid_pattern("MG"), "a Messaging Service SID");
      unique_sid(r, s.sid);
      s.account_sid = r.required_string("account_sid", sid_pattern("AC"), "an account SID");
      check_account(r, accounts, "account_sid", s.account_sid);
      s.friendly_name = r.optional_string("friendly_name").value_or("");
      s.senders = r.string_array("senders");
      for (std::size_t j = 0; j < s.senders.size() && r.errors().ok(); ++j) {
        if (!owned.contains({s.account_sid, s.senders[j]})) {
          errors.add(
              r.pointer("senders") + "/" + std::to_string(j),
              fmt::format("'{}' is not a phone number of account {}", s.senders[j], s.account_sid));
        }
      }
      s.status_callback = r.optional_string("status_callback");
      s.inbound_request_url = r.optional_string("inbound_request_url");
      out.messaging_services.push_back(std::move(s));
    }
    const auto& message_rows = top.array("messages");
    for (std::size_t i = 0; i < message_rows.size() && errors.ok(); ++i) {
      common::FixtureReader r(message_rows[i], top.pointer("messages") + "/" + std::to_string(i),
                              errors);
      Message m = read_message_row(r, accounts);
      unique_sid(r, m.sid);
      out.messages.push_back(std::move(m));
    }
  }  // readers report unknown keys on destruction
  if (!errors.ok()) return common::fail(*errors.first());
  return out;
}

}  // namespace mock::twilio
