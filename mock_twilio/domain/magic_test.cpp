// The one magic-number table (twilio-messaging.md §4 + the reserved range).
#include "mock_twilio/domain/magic.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "mock_twilio/domain/errors.hpp"
#include "mock_twilio/domain/lifecycle.hpp"

namespace mock::twilio {

TEST_CASE("magic table: Twilio's test numbers exactly", "[twilio][magic]") {
  struct Case {
    MagicScope scope;
    const char* number;
    MagicEffect effect;
    int code;
  };
  const Case cases[] = {
      {MagicScope::kTestFrom, "+15005550001", MagicEffect::kReject, 21212},
      {MagicScope::kTestFrom, "+15005550006", MagicEffect::kPass, 0},
      {MagicScope::kTestFrom, "+15005550007", MagicEffect::kReject, 21606},
      {MagicScope::kTestFrom, "+15005550008", MagicEffect::kReject, 21611},
      {MagicScope::kTestTo, "+15005550001", MagicEffect::kReject, 21211},
      {MagicScope::kTestTo, "+15005550002", MagicEffect::kReject, 21612},
      {MagicScope::kTestTo, "+15005550003", MagicEffect::kReject, 21408},
      {MagicScope::kTestTo, "+15005550004", MagicEffect::kReject, 21610},
      {MagicScope::kTestTo, "+15005550009", MagicEffect::kReject, 21614},
  };
  for (const auto& c : cases) {
    INFO(c.number);
    auto row = find_magic(c.scope, c.number);
    REQUIRE(row);
    CHECK(row->effect == c.effect);
    CHECK(row->code == c.code);
  }
  CHECK_FALSE(find_magic(MagicScope::kTestTo, "+15005550006"));
  CHECK_FALSE(find_magic(MagicScope::kTestFrom, "+15557778888"));
}

TEST_CASE("magic table: the reserved range has named 300xx codes and delays", "[twilio][magic]") {
  std::set<std::pair<int, std::string_view>> seen;
  int reserved = 0;
  for (const auto& row : magic_numbers()) {
    CHECK(seen.insert({static_cast<int>(row.scope), row.number}).second);  // no duplicates
    if (row.scope != MagicScope::kReserved) continue;
    ++reserved;
    CHECK(row.number.starts_with("+1555010"));
    if (row.effect == MagicEffect::kDelayedDelivery) {
      CHECK(row.delay_seconds > 0);
      CHECK(planned_outcome(std::string(row.number)) == Outcome::kDelivered);
    } else {
      CHECK(errors::is_delivery_error(row.code));
      CHECK(row.description == errors::delivery_error_message(row.code));
    }
  }
  CHECK(reserved == 11);
  CHECK(planned_outcome("+15550100001") == Outcome::kUndelivered);
  CHECK(planned_outcome("+15550100011") == Outcome::kFailed);
  CHECK(planned_outcome("+15550100099") == Outcome::kDelivered);  // unlisted: normal
  CHECK(planned_outcome("+15550001111") == Outcome::kDelivered);
}

}  // namespace mock::twilio
