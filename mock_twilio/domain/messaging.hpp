#pragma once
// The Messages resource's rules (twilio-messaging.md §1-§4): CreateMessage, ListMessage,
// FetchMessage, UpdateMessage, DeleteMessage and authentication, independent of HTTP and SQL.
// Handlers parse the request into the structs below, call one operation and render the
// Result. Every operation is safe to call concurrently (state lives in the repository).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/lifecycle.hpp"
#include "mock_twilio/domain/model.hpp"
#include "mock_twilio/domain/repository.hpp"
#include "mock_twilio/domain/status_engine.hpp"

namespace mock::twilio {

template <class T>
using Result = common::Result<T, ApiError>;

struct Credentials {
  std::string username;  // AC... (with the auth token) or SK... (with the key secret)
  std::string password;
};

// The form fields of CreateMessage that the mock reads; unknown fields are ignored.
struct CreateMessageRequest {
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<std::string> messaging_service_sid;
  std::optional<std::string> body;
  std::optional<std::string> content_sid;
  std::optional<std::string> status_callback;
  std::vector<std::string> media_urls;
  std::optional<std::string> schedule_type;  // ScheduleType (only "fixed")
  std::optional<std::string> send_at;        // SendAt, YYYY-MM-DDTHH:MM:SSZ
};

// ListMessage query parameters as received (decoded); list_message validates them.
struct ListMessageRequest {
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<std::string> date_sent;         // DateSent
  std::optional<std::string> date_sent_before;  // DateSent<  (on or before)
  std::optional<std::string> date_sent_after;   // DateSent>  (on or after)
  std::optional<std::string> page_size;
  std::optional<std::string> page;
  std::optional<std::string> page_token;
};

struct MessagePage {
  std::vector<Message> messages;
  int page = 0;
  int page_size = 50;
  std::optional<std::string> next_page_token;      // "PA" + SID of the last item
  std::optional<std::string> previous_page_token;  // "PB" + SID of the first item
};

struct UpdateMessageRequest {
  std::optional<std::string> body;
  std::optional<std::string> status;
};

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr std::size_t kMaxMediaUrls = 10;

// Calendar-day bounds of a DateSent value: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (its day).
// Returns midnight UTC of that day, or nullopt when the text is neither form.
std::optional<TimePoint> parse_date_sent_day(std::string_view text);
// SendAt: exactly YYYY-MM-DDTHH:MM:SSZ (twilio-messaging.md §1.1); nullopt otherwise.
std::optional<TimePoint> parse_send_at(std::string_view text);

// The scheduling window (twilio-messaging.md §1.1; Twilio's docs pages disagree, we take
// the 35114 page: 15 minutes to 35 days ahead).
inline constexpr std::chrono::minutes kMinScheduleAhead{15};
inline constexpr std::chrono::hours kMaxScheduleAhead{35 * 24};

class Messaging {
 public:
  Messaging(MessageRepository& repo, const common::Clock& clock, common::IdGenerator& ids,
            Lifecycle& lifecycle, StatusEngine& engine)
      : repo_(repo), clock_(clock), ids_(ids), lifecycle_(lifecycle), engine_(engine) {}

  // Basic credentials against the path's AccountSid. Auth comes first: a path account that
  // is malformed or unknown also yields 401/20003 (no account can match it).
  Result<Account> authenticate(const std::optional<Credentials>& credentials,
                               const std::string& path_account_sid);

  // Validation order (§3 "Suggested validation order"): 21604, 21603, 21602, 21211, 21212,
  // 21606, MessagingServiceSid (21705), scheduling (35115, 35118, 35111, 35114),
  // ContentSid/MediaUrl count, 21617, the test-account magic To numbers, then opt-outs
  // (21610). Returns the message as created (`queued`; `accepted` with a Messaging Service,
  // `scheduled` with ScheduleType=fixed); the scheduler moves it on (Lifecycle).
  Result<Message> create_message(const Account& account, const CreateMessageRequest& request);
  Result<MessagePage> list_message(const Account& account, const ListMessageRequest& request);
  // `path` is the request path, echoed by a 20404.
  Result<Message> fetch_message(const Account& account, const std::string& sid,
                                const std::string& path);
  // Body="" redacts (only once the message is final: 20009 before); a non-empty Body is
  // refused (20001); Status=canceled only while `scheduled` (30409 otherwise).
  Result<Message> update_message(const Account& account, const std::string& sid,
                                 const UpdateMessageRequest& request, const std::string& path);
  // 20009 while the message is not final.
  Result<void> delete_message(const Account& account, const std::string& sid,
                              const std::string& path);

 private:
  MessageRepository& repo_;
  const common::Clock& clock_;
  common::IdGenerator& ids_;
  Lifecycle& lifecycle_;
  StatusEngine& engine_;
};

}  // namespace mock::twilio
