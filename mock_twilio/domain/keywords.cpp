#include "mock_twilio/domain/keywords.hpp"

#include <array>
#include <cctype>

namespace mock::twilio {
namespace {

struct Entry {
  std::string_view word;
  Keyword keyword;
};

constexpr std::array<Entry, 11> kKeywords{{
    {"STOP", Keyword::kOptOut},
    {"STOPALL", Keyword::kOptOut},
    {"UNSUBSCRIBE", Keyword::kOptOut},
    {"CANCEL", Keyword::kOptOut},
    {"END", Keyword::kOptOut},
    {"QUIT", Keyword::kOptOut},
    {"START", Keyword::kOptIn},
    {"YES", Keyword::kOptIn},
    {"UNSTOP", Keyword::kOptIn},
    {"HELP", Keyword::kHelp},
    {"INFO", Keyword::kHelp},
}};

}  // namespace

std::string_view to_string(Keyword keyword) {
  switch (keyword) {
    case Keyword::kOptOut:
      return "STOP";
    case Keyword::kOptIn:
      return "START";
    case Keyword::kHelp:
      return "HELP";
  }
  return "HELP";
}

std::optional<Keyword> classify_keyword(std::string_view body) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!body.empty() && space(body.front())) body.remove_prefix(1);
  while (!body.empty() && space(body.back())) body.remove_suffix(1);
  std::string upper(body);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& e : kKeywords) {
    if (e.word == upper) return e.keyword;
  }
  return std::nullopt;
}

std::string_view auto_reply(Keyword keyword) {
  // Twilio's default responses (Advanced Opt-Out off).
  switch (keyword) {
    case Keyword::kOptOut:
      return "You have successfully been unsubscribed. You will not receive any more messages "
             "from this number. Reply START to resubscribe.";
    case Keyword::kOptIn:
      return "You have successfully been re-subscribed to messages from this number. Reply HELP "
             "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
    case Keyword::kHelp:
      return "Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
  }
  return "";
}

}  // namespace mock::twilio
