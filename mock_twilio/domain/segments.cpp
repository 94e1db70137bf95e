#include "mock_twilio/domain/segments.hpp"

#include <algorithm>
#include <array>

namespace mock::twilio {
namespace {

constexpr std::size_t kGsmSingle = 160;
constexpr std::size_t kGsmMulti = 153;
constexpr std::size_t kUcsSingle = 70;
constexpr std::size_t kUcsMulti = 67;

// GSM 03.38 basic table, non-ASCII part (the ASCII part is tested by range below).
constexpr std::array<char32_t, 39> kBasicNonAscii = {
    U'¡', U'£', U'¤', U'¥', U'§', U'¿', U'Ä', U'Å', U'Æ', U'Ç', U'É', U'Ñ', U'Ö',
    U'Ø', U'Ü', U'ß', U'à', U'ä', U'å', U'æ', U'è', U'é', U'ì', U'ñ', U'ò', U'ö',
    U'ø', U'ù', U'ü', U'Γ', U'Δ', U'Θ', U'Λ', U'Ξ', U'Π', U'Σ', U'Φ', U'Ψ', U'Ω'};
// Extension table: escape + char.
constexpr std::array<char32_t, 10> kExtension = {U'\f', U'[', U'\\', U']', U'^',
                                                 U'{',  U'|', U'}',  U'~', U'€'};

// Greedy fill as the calculator does: characters never straddle a segment boundary.
int fill(const std::vector<std::size_t>& weights, std::size_t total, std::size_t single,
         std::size_t multi) {
  if (total <= single) return 1;
  int segments = 1;
  std::size_t used = 0;
  for (std::size_t w : weights) {
    if (used + w > multi) {
      ++segments;
      used = 0;
    }
    used += w;
  }
  return segments;
}

}  // namespace

std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.push_back(cp);
      i += len;
    } else {
      out.push_back(U'\uFFFD');
      ++i;
    }
  }
  return out;
}

int gsm7_septets(char32_t c) {
  if (c == U'\n' || c == U'\r') return 1;
  if (c >= 0x20 && c < 0x7F) {
    // Printable ASCII is basic GSM-7 except the extension characters and the backtick.
    if (c == U'`') return 0;
    if (std::find(kExtension.begin(), kExtension.end(), c) != kExtension.end()) return 2;
    return 1;
  }
  if (c == U'\f' || c == U'€') return 2;
  if (std::find(kBasicNonAscii.begin(), kBasicNonAscii.end(), c) != kBasicNonAscii.end()) {
    return 1;
  }
  return 0;
}

SegmentInfo count_segments(std::string_view utf8_body) {
  const auto cps = decode_utf8(utf8_body);
  SegmentInfo info;
  info.characters = cps.size();
  std::vector<std::size_t> weights;
  weights.reserve(cps.size());
  bool gsm = true;
  for (char32_t c : cps) {
    const int septets = gsm7_septets(c);
    if (septets == 0) {
      gsm = false;
      break;
    }
    weights.push_back(static_cast<std::size_t>(septets));
  }
  if (!gsm) {
    weights.clear();
    for (char32_t c : cps) weights.push_back(c > 0xFFFF ? 2 : 1);
  }
  std::size_t total = 0;
  for (std::size_t w : weights) total += w;
  info.units = total;
  info.encoding = gsm ? SmsEncoding::kGsm7 : SmsEncoding::kUcs2;
  info.segments = gsm ? fill(weights, total, kGsmSingle, kGsmMulti)
                      : fill(weights, total, kUcsSingle, kUcsMulti);
  return info;
}

}  // namespace mock::twilio
