#pragma once
// A small, safe reader for the TwiML an app returns to an inbound-message webhook
// (twilio-messaging.md §8). Our own XML subset reader: elements, attributes, text, CDATA,
// comments, the XML declaration, the five predefined entities and character references.
// A DOCTYPE (and so any entity declaration, external or not) is refused, never expanded;
// nesting is limited to 32 levels. Malformed input is an error value, never an exception.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mock::twilio {

// One <Message> verb: its text (direct text, or the <Body> child's), optional to/from.
struct TwimlMessage {
  std::string body;
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::vector<std::string> media;  // <Media> children
};

// Parses `<Response>...</Response>` (an empty body counts as an empty response). Other verbs
// (<Redirect>, ...) are ignored. Error: a short description of the first problem.
common::Result<std::vector<TwimlMessage>, std::string> parse_twiml(std::string_view xml);

}  // namespace mock::twilio
