#pragma once
// The status state machine of outbound messages (twilio-messaging.md §5, house-style §3.7).
// Mode `immediate` (this issue): a message created `queued` moves straight to `delivered`,
// with date_sent set and the price charged. A later issue adds `time` and `manual` modes
// (advanced by the Clock or /_mock calls) and status callbacks behind this same class.
// Messages of test accounts never progress (§4: test-credential sends stay `queued`).
// Thread safety: stateless apart from the clock it reads; callable concurrently.

#include <optional>
#include <string>

#include "common/clock.hpp"
#include "mock_twilio/domain/model.hpp"

namespace mock::twilio {

enum class Progression { kImmediate };
std::string_view to_string(Progression progression);
std::optional<Progression> parse_progression(std::string_view text);

// "-0.00790" per SMS segment, in USD.
std::string price_for_segments(int segments);

class Lifecycle {
 public:
  Lifecycle(Progression mode, const common::Clock& clock) : mode_(mode), clock_(clock) {}

  // What the message becomes right after creation (the create response shows the message
  // before this step). nullopt when it does not move.
  std::optional<Message> after_create(const Message& created, const Account& account) const;

  Progression mode() const { return mode_; }

 private:
  Progression mode_;
  const common::Clock& clock_;
};

}  // namespace mock::twilio
