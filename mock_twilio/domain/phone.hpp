#pragma once
// Phone number reading (twilio-messaging.md §1.1: To/From are E.164).
//   "+15557778888"  -> "+15557778888"   (E.164: '+', a non-zero digit, up to 15 digits)
//   "5550001111"    -> "+15550001111"   (a national 10-digit number is read as US/NANP:
//                                        deviation, so the TrueVault guide's number works)
//   anything else   -> nullopt

#include <optional>
#include <string>
#include <string_view>

namespace mock::twilio {

bool is_e164(std::string_view number);
std::optional<std::string> normalize_phone(std::string_view number);

}  // namespace mock::twilio
