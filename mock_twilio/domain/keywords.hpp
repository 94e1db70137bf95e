#pragma once
// Twilio's default opt-out keyword handling for inbound messages (twilio-messaging.md §8):
// the whole body, trimmed, case-insensitive, is compared with the keyword lists.
//   STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT -> opt out
//   START, YES, UNSTOP                            -> opt back in
//   HELP, INFO                                    -> help
// Each kind has Twilio's default auto-reply text (sent as an outbound-reply message).

#include <optional>
#include <string>
#include <string_view>

namespace mock::twilio {

enum class Keyword { kOptOut, kOptIn, kHelp };
std::string_view to_string(Keyword keyword);  // OptOutType: STOP, START, HELP

std::optional<Keyword> classify_keyword(std::string_view body);
std::string_view auto_reply(Keyword keyword);

}  // namespace mock::twilio
