#pragma once
// The magic-number table (twilio-messaging.md §4): ONE table for the whole service, read by
// CreateMessage, the lifecycle, GET /_mock/twilio/magic and (by hand) the README.
//   kTestFrom / kTestTo: Twilio's exact test-credential numbers; they apply only to accounts
//     marked `test` in the fixture (those never progress and never send callbacks).
//   kReserved: the mock's own range +1555010xxxx, for EVERY account: To numbers whose sends
//     are accepted and then end undelivered/failed with a named 300xx code, or are delivered
//     after a delay. Any other number in the range behaves normally.
// Thread safety: immutable data.

#include <optional>
#include <span>
#include <string_view>

namespace mock::twilio {

enum class MagicScope { kTestFrom, kTestTo, kReserved };
std::string_view to_string(MagicScope scope);

enum class MagicEffect {
  kPass,             // passes validation (test From +15005550006)
  kReject,           // CreateMessage answers 400 with `code`
  kUndelivered,      // accepted, then sent -> undelivered with `code`
  kFailed,           // accepted, then queued -> failed with `code`
  kDelayedDelivery,  // delivered, `delay_seconds` after `sent`
};
std::string_view to_string(MagicEffect effect);

struct MagicNumber {
  std::string_view number;
  MagicScope scope;
  MagicEffect effect;
  int code = 0;           // the 2xxxx API error or the 300xx delivery error; 0 when none
  int delay_seconds = 0;  // kDelayedDelivery only
  std::string_view description;
};

// Every row, in the order the README lists them.
std::span<const MagicNumber> magic_numbers();
// The row for `number` in `scope`, if any.
std::optional<MagicNumber> find_magic(MagicScope scope, std::string_view number);

}  // namespace mock::twilio
