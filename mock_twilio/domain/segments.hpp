#pragma once
// SMS segment counting (twilio-messaging.md §3.1), after Twilio's message-segment-calculator:
// GSM-7 when every character is in the GSM 03.38 basic or extension table (extension
// characters cost 2 septets: escape + char), else UCS-2 counted in UTF-16 code units. One
// segment holds 160 septets / 70 units; a concatenated message holds 153 / 67 per segment
// (the User Data Header takes the rest), filled character by character so that an escape
// pair or a surrogate pair is never split across two segments.
//
// Deviation: the calculator walks grapheme clusters; we walk code points (a grapheme of
// several code points, e.g. a ZWJ emoji sequence, may be split between segments here).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mock::twilio {

enum class SmsEncoding { kGsm7, kUcs2 };

struct SegmentInfo {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  std::size_t characters = 0;  // Unicode code points (what the 1,600 limit counts)
  std::size_t units = 0;       // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 1;            // 1 for an empty body
};

inline constexpr std::size_t kMaxBodyChars = 1600;

// Decodes UTF-8 into code points; an invalid byte becomes U+FFFD (never throws).
std::vector<char32_t> decode_utf8(std::string_view text);
// Septets for `c` in GSM-7: 1 (basic table), 2 (extension table) or 0 (not GSM-7).
int gsm7_septets(char32_t c);
SegmentInfo count_segments(std::string_view utf8_body);

}  // namespace mock::twilio
