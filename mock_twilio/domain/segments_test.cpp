#include "mock_twilio/domain/segments.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {
namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("GSM-7 character table", "[twilio][segments]") {
  CHECK(gsm7_septets(U'a') == 1);
  CHECK(gsm7_septets(U'@') == 1);
  CHECK(gsm7_septets(U'\n') == 1);
  CHECK(gsm7_septets(U'é') == 1);
  CHECK(gsm7_septets(U'Ω') == 1);
  CHECK(gsm7_septets(U'€') == 2);
  CHECK(gsm7_septets(U'{') == 2);
  CHECK(gsm7_septets(U'\f') == 2);
  CHECK(gsm7_septets(U'`') == 0);  // backtick is not GSM-7
  CHECK(gsm7_septets(U'ç') == 0);  // only capital Ç is
  CHECK(gsm7_septets(U'’') == 0);  // curly quote
}

TEST_CASE("segment counting", "[twilio][segments]") {
  struct Case {
    std::string body;
    SmsEncoding encoding;
    std::size_t characters;
    std::size_t units;
    int segments;
  };
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, a surrogate pair in UTF-16
  const Case cases[] = {
      {"", SmsEncoding::kGsm7, 0, 0, 1},
      {"hello", SmsEncoding::kGsm7, 5, 5, 1},
      {repeat("a", 160), SmsEncoding::kGsm7, 160, 160, 1},
      {repeat("a", 161), SmsEncoding::kGsm7, 161, 161, 2},
      {repeat("a", 306), SmsEncoding::kGsm7, 306, 306, 2},
      {repeat("a", 307), SmsEncoding::kGsm7, 307, 307, 3},
      // Escapes cost 2 septets: 80 x '{' = 160 septets, one segment; 81 -> 162, two.
      {repeat("{", 80), SmsEncoding::kGsm7, 80, 160, 1},
      {repeat("{", 81), SmsEncoding::kGsm7, 81, 162, 2},
      // 152 septets then an escape pair: the pair cannot straddle the 153 boundary, so it
      // opens segment 2 and the last 'a' needs a third (naive ceil(306/153) says 2).
      {repeat("a", 152) + "{" + repeat("a", 152), SmsEncoding::kGsm7, 305, 306, 3},
      {repeat("a", 153) + "{" + repeat("a", 151), SmsEncoding::kGsm7, 305, 306, 2},
      // UCS-2: 70 / 71 units; one non-GSM char switches the whole message.
      {repeat("\xD0\x96", 70), SmsEncoding::kUcs2, 70, 70, 1},  // Cyrillic Zhe
      {repeat("\xD0\x96", 71), SmsEncoding::kUcs2, 71, 71, 2},
      {repeat("a", 69) + "`", SmsEncoding::kUcs2, 70, 70, 1},
      {repeat("a", 70) + "`", SmsEncoding::kUcs2, 71, 71, 2},
      {repeat("a", 134), SmsEncoding::kGsm7, 134, 134, 1},
      // Emoji: 2 UTF-16 units each. 35 emoji = 70 units: one segment; 36 = 72: two.
      {repeat(emoji, 35), SmsEncoding::kUcs2, 35, 70, 1},
      {repeat(emoji, 36), SmsEncoding::kUcs2, 36, 72, 2},
      // 66 units then a surrogate pair: it cannot straddle the 67 boundary.
      {repeat("\xD0\x96", 66) + emoji + repeat("\xD0\x96", 66), SmsEncoding::kUcs2, 133, 134, 3},
      {repeat("\xD0\x96", 67) + emoji + repeat("\xD0\x96", 65), SmsEncoding::kUcs2, 133, 134, 2},
      // 33 emoji (66 units) fit a 67-unit segment: 1,600 emoji need 49 (naive: 48).
      {repeat(emoji, 1600), SmsEncoding::kUcs2, 1600, 3200, 49},
  };
  for (const auto& c : cases) {
    INFO("body of " << c.body.size() << " bytes, expected " << c.segments << " segments");
    const auto info = count_segments(c.body);
    CHECK(info.encoding == c.encoding);
    CHECK(info.characters == c.characters);
    CHECK(info.units == c.units);
    CHECK(info.segments == c.segments);
  }
}

TEST_CASE("invalid UTF-8 counts as U+FFFD / never throws", "[twilio][segments]") {
  const auto info =
      count_segments(std::string("a\xFF"
                                 "b\xC3",
                                 4));
  CHECK(info.characters == 4);
  CHECK(info.encoding == SmsEncoding::kUcs2);
  CHECK(decode_utf8("\xE2\x82\xAC") == std::vector<char32_t>{U'€'});
  CHECK(decode_utf8("\xC0\x80") == std::vector<char32_t>{U'\uFFFD', U'\uFFFD'});  // overlong
}

}  // namespace mock::twilio
