// Opt-out keyword classification (twilio-messaging.md §8).
#include "mock_twilio/domain/keywords.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {

TEST_CASE("classify_keyword: Twilio's lists, trimmed and case-insensitive", "[twilio][keywords]") {
  struct Case {
    const char* body;
    std::optional<Keyword> expected;
  };
  const Case cases[] = {
      {"STOP", Keyword::kOptOut},        {"stop", Keyword::kOptOut},
      {"  Stop\n", Keyword::kOptOut},    {"STOPALL", Keyword::kOptOut},
      {"UNSUBSCRIBE", Keyword::kOptOut}, {"cancel", Keyword::kOptOut},
      {"END", Keyword::kOptOut},         {"quit", Keyword::kOptOut},
      {"START", Keyword::kOptIn},        {"yes", Keyword::kOptIn},
      {"Unstop", Keyword::kOptIn},       {"HELP", Keyword::kHelp},
      {"info", Keyword::kHelp},          {"stop please", std::nullopt},
      {"STOPP", std::nullopt},           {"", std::nullopt},
      {"hello", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    CHECK(classify_keyword(c.body) == c.expected);
  }
  CHECK(to_string(Keyword::kOptOut) == "STOP");
  CHECK(to_string(Keyword::kOptIn) == "START");
  CHECK(to_string(Keyword::kHelp) == "HELP");
  CHECK(auto_reply(Keyword::kHelp) == "Reply STOP to unsubscribe. Msg&Data Rates May Apply.");
  CHECK(auto_reply(Keyword::kOptOut).starts_with("You have successfully been unsubscribed."));
  CHECK(auto_reply(Keyword::kOptIn).starts_with("You have successfully been re-subscribed"));
}

}  // namespace mock::twilio
