#pragma once
// Test doubles for the domain's unit tests: an in-memory MessageRepository (single-threaded
// use only) and a WebhookSender that records requests and answers from a script.

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "mock_twilio/domain/repository.hpp"
#include "mock_twilio/domain/webhooks.hpp"

namespace mock::twilio::testing {

inline const std::string kAc1 = "AC00000000000000000000000000000001";
inline const std::string kAc2 = "AC00000000000000000000000000000002";
inline const std::string kAcTest = "AC0000000000000000000000000000000f";
inline const std::string kSk1 = "SK00000000000000000000000000000001";

class FakeRepository final : public MessageRepository {
 public:
  FakeRepository() {
    accounts_[kAc1] = Account{kAc1, "token1", "one", false};
    accounts_[kAc2] = Account{kAc2, "token2", "two", false};
    accounts_[kAcTest] = Account{kAcTest, "test-token", "test", true};
    keys_[kSk1] = ApiKey{kSk1, "secret1", kAc1, "key"};
    numbers_.push_back(PhoneNumber{"PN1", kAc1, "+15557778888", true, {}, {}});
    numbers_.push_back(PhoneNumber{"PN2", kAc1, "+15557770000", false, {}, {}});
  }
  std::optional<Account> find_account(const std::string& sid) override {
    ++account_lookups_;
    auto it = accounts_.find(sid);
    return it == accounts_.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<ApiKey> find_api_key(const std::string& sid) override {
    auto it = keys_.find(sid);
    return it == keys_.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<PhoneNumber> find_phone_number(const std::string& account_sid,
                                               const std::string& number) override {
    ++number_lookups_;
    for (const auto& n : numbers_) {
      if (n.account_sid == account_sid && n.phone_number == number) return n;
    }
    return std::nullopt;
  }
  void insert_message(const Message& m) override { messages_.push_back(m); }
  void update_message(const Message& m) override {
    for (auto& row : messages_) {
      if (row.sid == m.sid) row = m;
    }
  }
  std::optional<Message> find_message(const std::string& account_sid,
                                      const std::string& sid) override {
    for (const auto& m : messages_) {
      if (m.account_sid == account_sid && m.sid == sid) return m;
    }
    return std::nullopt;
  }
  std::vector<Message> list_messages(const MessageQuery& q) override {
    std::vector<Message> out;
    for (const auto& m : messages_) {
      if (m.account_sid == q.account_sid && (!q.to || m.to == *q.to)) out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](const Message& a, const Message& b) {
      return std::tie(a.date_created, a.sid) > std::tie(b.date_created, b.sid);
    });
    if (q.after) {
      std::erase_if(out, [&](const Message& m) {
        return std::tie(m.date_created, m.sid) >= std::tie(q.after->date_created, q.after->sid);
      });
    }
    if (out.size() > q.limit) out.resize(q.limit);
    return out;
  }
  bool delete_message(const std::string& account_sid, const std::string& sid) override {
    return std::erase_if(messages_, [&](const Message& m) {
             return m.account_sid == account_sid && m.sid == sid;
           }) > 0;
  }
  std::vector<Message> inspect_messages(const InspectionFilter&) override { return messages_; }
  std::size_t clear_messages() override {
    const auto n = messages_.size();
    messages_.clear();
    return n;
  }

  std::optional<MessagingService> find_messaging_service(const std::string& account_sid,
                                                         const std::string& sid) override {
    for (const auto& s : services_) {
      if (s.account_sid == account_sid && s.sid == sid) return s;
    }
    return std::nullopt;
  }
  std::optional<PhoneNumber> find_number_owner(const std::string& number) override {
    for (const auto& n : numbers_) {
      if (n.phone_number == number) return n;
    }
    return std::nullopt;
  }
  std::optional<MessagingService> find_service_by_sender(const std::string& number) override {
    for (const auto& s : services_) {
      if (std::find(s.senders.begin(), s.senders.end(), number) != s.senders.end()) return s;
    }
    return std::nullopt;
  }
  std::optional<Message> find_message_by_sid(const std::string& sid) override {
    for (const auto& m : messages_) {
      if (m.sid == sid) return m;
    }
    return std::nullopt;
  }
  std::vector<Message> due_messages(TimePoint now, std::size_t limit) override {
    std::vector<Message> out;
    for (const auto& m : messages_) {
      if (m.next_at && *m.next_at <= now) out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](const Message& a, const Message& b) {
      return std::tie(*a.next_at, a.date_created, a.sid) <
             std::tie(*b.next_at, b.date_created, b.sid);
    });
    if (out.size() > limit) out.resize(limit);
    return out;
  }
  std::optional<TimePoint> next_message_due() override {
    std::optional<TimePoint> out;
    for (const auto& m : messages_) {
      if (m.next_at && (!out || *m.next_at < *out)) out = m.next_at;
    }
    return out;
  }
  std::int64_t insert_callback(const CallbackAttempt& attempt) override {
    callbacks_.push_back(attempt);
    callbacks_.back().id = static_cast<std::int64_t>(callbacks_.size());
    return callbacks_.back().id;
  }
  void update_callback(const CallbackAttempt& attempt) override {
    callbacks_.at(static_cast<std::size_t>(attempt.id - 1)) = attempt;
  }
  std::vector<CallbackAttempt> due_callbacks(TimePoint now, bool newest_first) override {
    std::vector<CallbackAttempt> out;
    for (const auto& c : callbacks_) {
      if (c.state == CallbackState::kPending && c.due_at <= now) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(),
                     [&](const CallbackAttempt& a, const CallbackAttempt& b) {
                       if (a.due_at != b.due_at) return a.due_at < b.due_at;
                       return newest_first ? a.id > b.id : a.id < b.id;
                     });
    return out;
  }
  std::optional<TimePoint> next_callback_due() override {
    std::optional<TimePoint> out;
    for (const auto& c : callbacks_) {
      if (c.state == CallbackState::kPending && (!out || c.due_at < *out)) out = c.due_at;
    }
    return out;
  }
  std::vector<CallbackAttempt> list_callbacks(
      const std::optional<std::string>& message_sid) override {
    std::vector<CallbackAttempt> out;
    for (const auto& c : callbacks_) {
      if (!message_sid || c.message_sid == *message_sid) out.push_back(c);
    }
    return out;
  }
  void set_opted_out(const std::string& account_sid, const std::string& number,
                     bool opted_out) override {
    if (opted_out) {
      opt_outs_.insert({account_sid, number});
    } else {
      opt_outs_.erase({account_sid, number});
    }
  }
  bool is_opted_out(const std::string& account_sid, const std::string& number) override {
    return opt_outs_.contains({account_sid, number});
  }

  std::vector<Message> messages_;
  std::vector<MessagingService> services_;
  std::vector<CallbackAttempt> callbacks_;
  std::vector<PhoneNumber> numbers_;
  int account_lookups_ = 0;  // find_account calls
  int number_lookups_ = 0;   // find_phone_number calls

 private:
  std::set<std::pair<std::string, std::string>> opt_outs_;
  std::map<std::string, Account> accounts_;
  std::map<std::string, ApiKey> keys_;
};

// Records every request; answers with the queued responses, then with `fallback`.
class RecordingSender final : public WebhookSender {
 public:
  WebhookResponse post(const WebhookRequest& request) override {
    requests.push_back(request);
    if (responses.empty()) return fallback;
    auto r = responses.front();
    responses.pop_front();
    return r;
  }
  std::vector<WebhookRequest> requests;
  std::deque<WebhookResponse> responses;
  WebhookResponse fallback{200, "", "text/plain", "", std::chrono::milliseconds(1)};
};

}  // namespace mock::twilio::testing
