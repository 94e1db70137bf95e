#include "mock_twilio/domain/messaging.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mock_twilio/domain/magic.hpp"
#include "mock_twilio/domain/phone.hpp"
#include "mock_twilio/domain/segments.hpp"

namespace mock::twilio {
namespace {

using std::chrono::days;

// Test credentials' magic numbers (twilio-messaging.md §4) come from the one table in
// magic.hpp; this maps a rejecting row to its catalogue entry.
ApiError magic_rejection(const MagicNumber& row, const std::string& given, const std::string& to,
                         const std::optional<std::string>& from) {
  switch (row.code) {
    case 21212:
      return errors::invalid_from_number(given);
    case 21611:
      return errors::from_queue_full();
    case 21211:
      return errors::invalid_to_number(given);
    case 21612:
      return errors::to_unreachable(to, from.value_or(""));
    case 21408:
      return errors::to_no_permission(to);
    case 21610:
      return errors::to_unsubscribed();
    case 21614:
      return errors::to_not_mobile();
    default:
      return errors::from_not_sms_capable(given);
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int> parse_bounded_int(const std::string& text, int min, int max) {
  if (!all_digits(text) || text.size() > 9) return std::nullopt;
  const int v = std::stoi(text);
  if (v < min || v > max) return std::nullopt;
  return v;
}

// Both credential comparisons go through here; equal lengths compared without early exit.
bool secrets_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

std::string filter_number(const std::string& value) {
  auto n = normalize_phone(value);
  return n ? *n : value;
}

}  // namespace

std::optional<TimePoint> parse_date_sent_day(std::string_view text) {
  // YYYY-MM-DD, optionally followed by THH:MM:SSZ (its calendar day is what counts).
  if (text.size() != 10 && text.size() != 20) return std::nullopt;
  auto digits = [&](std::size_t pos, std::size_t n) { return all_digits(text.substr(pos, n)); };
  if (!digits(0, 4) || text[4] != '-' || !digits(5, 2) || text[7] != '-' || !digits(8, 2)) {
    return std::nullopt;
  }
  if (text.size() == 20) {
    if (text[10] != 'T' || !digits(11, 2) || text[13] != ':' || !digits(14, 2) || text[16] != ':' ||
        !digits(17, 2) || text[19] != 'Z') {
      return std::nullopt;
    }
    const int hh = std::stoi(std::string(text.substr(11, 2)));
    const int mi = std::stoi(std::string(text.substr(14, 2)));
    const int ss = std::stoi(std::string(text.substr(17, 2)));
    if (hh > 23 || mi > 59 || ss > 60) return std::nullopt;
  }
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const auto m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  const auto d = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd));
}

std::optional<TimePoint> parse_send_at(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z') return std::nullopt;
  auto day = parse_date_sent_day(text.substr(0, 10));
  if (!day || !all_digits(text.substr(11, 2)) || text[13] != ':' ||
      !all_digits(text.substr(14, 2)) || text[16] != ':' || !all_digits(text.substr(17, 2))) {
    return std::nullopt;
  }
  const int hh = std::stoi(std::string(text.substr(11, 2)));
  const int mi = std::stoi(std::string(text.substr(14, 2)));
  const int ss = std::stoi(std::string(text.substr(17, 2)));
  if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  return *day + std::chrono::hours(hh) + std::chrono::minutes(mi) + std::chrono::seconds(ss);
}

Result<Account> Messaging::authenticate(const std::optional<Credentials>& credentials,
                                        const std::string& path_account_sid) {
  if (!credentials) return common::fail(errors::authenticate());
  const auto& user = credentials->username;
  if (user.starts_with("AC")) {
    auto account = repo_.find_account(user);
    if (!account || !secrets_equal(account->auth_token, credentials->password) ||
        account->sid != path_account_sid) {
      return common::fail(errors::authenticate());
    }
    return *account;
  }
  if (user.starts_with("SK")) {
    auto key = repo_.find_api_key(user);
    if (!key || !secrets_equal(key->secret, credentials->password) ||
        key->account_sid != path_account_sid) {
      return common::fail(errors::authenticate());
    }
    auto account = repo_.find_account(key->account_sid);
    if (!account) return common::fail(errors::authenticate());
    return *account;
  }
  return common::fail(errors::authenticate());
}

Result<Message> Messaging::create_message(const Account& account,
                                          const CreateMessageRequest& request) {
  // 1-2 (auth, route) happened before. 3: To.
  if (!request.to || request.to->empty()) return common::fail(errors::to_required());
  // 4: From or MessagingServiceSid.
  const bool has_from = request.from && !request.from->empty();
  const bool has_service = request.messaging_service_sid && !request.messaging_service_sid->empty();
  if (!has_from && !has_service) return common::fail(errors::from_required());
  // 5: Body, MediaUrl or ContentSid.
  const bool has_body = request.body && !request.body->empty();
  const bool has_content = request.content_sid && !request.content_sid->empty();
  if (!has_body && request.media_urls.empty() && !has_content) {
    return common::fail(errors::body_required());
  }
  // 6: number formats and ownership.
  const auto to = normalize_phone(*request.to);
  if (!to) return common::fail(errors::invalid_to_number(*request.to));
  std::optional<std::string> from;
  if (has_from) {
    from = normalize_phone(*request.from);
    if (!from) return common::fail(errors::invalid_from_number(*request.from));
    if (account.test) {
      const auto magic = find_magic(MagicScope::kTestFrom, *from);
      if (!magic) return common::fail(errors::from_not_sms_capable(*from));
      if (magic->effect == MagicEffect::kReject) {
        return common::fail(magic_rejection(*magic, *request.from, *to, from));
      }
    } else {
      auto number = repo_.find_phone_number(account.sid, *from);
      if (!number || !number->sms_capable) {
        return common::fail(errors::from_not_sms_capable(*from));
      }
    }
  }
  // Messaging Service (account-scoped; test accounts have none: 21705 as Twilio).
  std::optional<MessagingService> service;
  if (has_service) {
    service = repo_.find_messaging_service(account.sid, *request.messaging_service_sid);
    if (!service || service->senders.empty()) {
      return common::fail(errors::invalid_messaging_service(*request.messaging_service_sid));
    }
  }
  // Scheduling (§1.1): fixed only, with a service, SendAt within the window.
  std::optional<TimePoint> send_at;
  if (request.schedule_type && !request.schedule_type->empty()) {
    if (*request.schedule_type != "fixed") {
      return common::fail(errors::schedule_type_invalid(*request.schedule_type));
    }
    if (!service) return common::fail(errors::schedule_needs_service());
    if (!request.send_at || request.send_at->empty()) {
      return common::fail(errors::send_at_required());
    }
    send_at = parse_send_at(*request.send_at);
    const auto now = clock_.now();
    if (!send_at || *send_at < now + kMinScheduleAhead || *send_at > now + kMaxScheduleAhead) {
      return common::fail(errors::send_at_unsupported(*request.send_at));
    }
  }
  // Content templates are not modelled: refuse rather than pretend.
  if (has_content) return common::fail(errors::invalid_content_sid());
  if (request.media_urls.size() > kMaxMediaUrls) return common::fail(errors::too_many_media());
  // 7: length, in code points.
  const std::string body = request.body.value_or("");
  const SegmentInfo segments = count_segments(body);
  if (segments.characters > kMaxBodyChars) return common::fail(errors::body_too_long());
  // 8: To-side conditions (test credentials' magic To numbers).
  if (account.test) {
    if (const auto magic = find_magic(MagicScope::kTestTo, *to)) {
      return common::fail(magic_rejection(*magic, *request.to, *to, from));
    }
  }
  // Opt-outs (an inbound STOP): account-wide for that end-user number.
  if (repo_.is_opted_out(account.sid, *to)) return common::fail(errors::to_unsubscribed());

  Message m;
  const bool mms = !request.media_urls.empty();
  m.sid = ids_.sid(mms ? "MM" : "SM");
  m.account_sid = account.sid;
  m.from = from;
  m.to = *to;
  m.body = body;
  m.status = MessageStatus::kQueued;
  m.direction = Direction::kOutboundApi;
  m.num_segments = mms ? 1 : segments.segments;  // MMS shows "1" (spec example)
  if (service) {
    // §1.1: accepted (or scheduled); no sender and "0" segments until one is picked.
    m.messaging_service_sid = service->sid;
    m.status = send_at ? MessageStatus::kScheduled : MessageStatus::kAccepted;
    m.num_segments = 0;
    m.next_at = send_at;
  }
  m.num_media = static_cast<int>(request.media_urls.size());
  m.media_urls = request.media_urls;
  m.price_unit = "USD";
  m.status_callback = request.status_callback;
  m.date_created = m.date_updated = clock_.now();
  lifecycle_.schedule_initial(m, account);
  // Steps already due are taken before the row is stored (StatusEngine::store_created): the
  // worker thread then has no due query and no update to run for it (bench/README.md: a third
  // of mock_twilio's CPU per SMS in the guide's flow).
  engine_.store_created(m, service ? &*service : nullptr);
  return m;
}

Result<MessagePage> Messaging::list_message(const Account& account,
                                            const ListMessageRequest& request) {
  MessagePage page;
  MessageQuery query;
  query.account_sid = account.sid;
  if (request.page_size) {
    auto v = parse_bounded_int(*request.page_size, 1, kMaxPageSize);
    if (!v) {
      return common::fail(errors::invalid_parameter(
          "PageSize",
          fmt::format("'{}' is not an integer from 1 to {}", *request.page_size, kMaxPageSize)));
    }
    page.page_size = *v;
  } else {
    page.page_size = kDefaultPageSize;
  }
  if (request.page) {
    auto v = parse_bounded_int(*request.page, 0, 100000000);
    if (!v) {
      return common::fail(errors::invalid_parameter(
          "Page", fmt::format("'{}' is not a non-negative integer", *request.page)));
    }
    page.page = *v;
  }
  struct DateFilter {
    const std::optional<std::string>& value;
    std::string_view name;
    bool lower;
    bool upper;
  };
  const std::array<DateFilter, 3> dates{{{request.date_sent, "DateSent", true, true},
                                         {request.date_sent_before, "DateSent<", false, true},
                                         {request.date_sent_after, "DateSent>", true, false}}};
  for (const auto& f : dates) {
    if (!f.value) continue;
    auto day = parse_date_sent_day(*f.value);
    if (!day) {
      return common::fail(errors::invalid_parameter(
          f.name,
          fmt::format("'{}' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", *f.value)));
    }
    // Inclusive by calendar day (GMT): [day, day + 1).
    if (f.lower) query.sent_from = query.sent_from ? std::max(*query.sent_from, *day) : *day;
    const TimePoint end = *day + days(1);
    if (f.upper) query.sent_until = query.sent_until ? std::min(*query.sent_until, end) : end;
  }
  if (request.to) query.to = filter_number(*request.to);
  if (request.from) query.from = filter_number(*request.from);
  bool backwards = false;
  if (request.page_token) {
    const std::string& token = *request.page_token;
    std::optional<Message> anchor;
    if (token.size() > 2 && (token.starts_with("PA") || token.starts_with("PB"))) {
      anchor = repo_.find_message(account.sid, token.substr(2));
    }
    if (!anchor) {
      return common::fail(errors::invalid_parameter(
          "PageToken", fmt::format("'{}' is not a valid page token", token)));
    }
    backwards = token.starts_with("PB");
    (backwards ? query.before : query.after) = std::move(anchor);
  }
  query.limit = static_cast<std::size_t>(page.page_size) + 1;
  page.messages = repo_.list_messages(query);
  const auto size = static_cast<std::size_t>(page.page_size);
  bool more = false;
  if (backwards) {
    // The anchor is older than everything here, so a next page always exists; an extra row
    // (limit + 1) is the newest one and belongs to an earlier page.
    if (page.messages.size() > size) page.messages.erase(page.messages.begin());
    more = true;
  } else {
    more = page.messages.size() > size;
    if (more) page.messages.pop_back();
  }
  if (more && !page.messages.empty()) page.next_page_token = "PA" + page.messages.back().sid;
  if (page.page > 0 && !page.messages.empty()) {
    page.previous_page_token = "PB" + page.messages.front().sid;
  }
  return page;
}

Result<Message> Messaging::fetch_message(const Account& account, const std::string& sid,
                                         const std::string& path) {
  auto m = repo_.find_message(account.sid, sid);
  if (!m) return common::fail(errors::not_found(path));
  return *m;
}

Result<Message> Messaging::update_message(const Account& account, const std::string& sid,
                                          const UpdateMessageRequest& request,
                                          const std::string& path) {
  auto found = repo_.find_message(account.sid, sid);
  if (!found) return common::fail(errors::not_found(path));
  if (!request.body && !request.status) {
    return common::fail(errors::invalid_parameter("request", "Body or Status is required"));
  }
  if (request.status && *request.status != to_string(MessageStatus::kCanceled)) {
    return common::fail(errors::invalid_parameter(
        "Status", fmt::format("'{}' is not one of canceled", *request.status)));
  }
  if (request.body && !request.body->empty()) {
    return common::fail(errors::invalid_parameter(
        "Body", "a message body can only be redacted (set to an empty string)"));
  }
  std::lock_guard lock(lifecycle_.message_mutex());
  found = repo_.find_message(account.sid, sid);  // re-read under the lock: the scheduler
  if (!found) return common::fail(errors::not_found(path));  // may have moved it
  Message m = *found;
  const auto now = clock_.now();
  bool canceled = false;
  if (request.status) {
    if (m.status != MessageStatus::kScheduled) return common::fail(errors::cannot_cancel());
    m = lifecycle_.set_status(m, MessageStatus::kCanceled, std::nullopt, now, nullptr);
    canceled = true;
  }
  if (request.body) {
    if (!is_final(m.status)) return common::fail(errors::redact_before_complete());
    m.body.clear();
    m.date_updated = now;
  }
  repo_.update_message(m);
  if (canceled) engine_.status_changed(m);  // §5: a status change after creation
  return m;
}

Result<void> Messaging::delete_message(const Account& account, const std::string& sid,
                                       const std::string& path) {
  auto found = repo_.find_message(account.sid, sid);
  if (!found) return common::fail(errors::not_found(path));
  if (!is_final(found->status)) return common::fail(errors::delete_before_complete());
  repo_.delete_message(account.sid, sid);
  return {};
}

}  // namespace mock::twilio
