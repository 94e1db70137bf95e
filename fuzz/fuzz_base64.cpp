// Fuzz target: base64 strict and lenient (common/crypto.hpp).
// Invariants:
//   - decode(encode(x)) == x and decode_lenient(encode(x)) == x for any bytes x;
//   - encode's output is strict base64 of length 4 * ceil(n / 3);
//   - whatever strict decode accepts, lenient decode accepts with the same bytes, and it
//     re-encodes to a string of the same length that decodes to the same bytes;
//   - lenient decode ignores ASCII whitespace: stripping it first changes nothing;
//   - strict decode refuses any input whose length is not a multiple of 4 or that holds
//     whitespace.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mock::common;
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT

  // Round trip of arbitrary bytes.
  const std::string encoded = base64_encode(input);
  FUZZ_CHECK(encoded.size() == (input.size() + 2) / 3 * 4, encoded);
  const auto back = base64_decode(encoded);
  FUZZ_CHECK(back && *back == input, encoded);
  const auto back_lenient = base64_decode_lenient(encoded);
  FUZZ_CHECK(back_lenient && *back_lenient == input, encoded);

  // The input as base64 text.
  const auto strict = base64_decode(input);
  const auto lenient = base64_decode_lenient(input);
  if (strict) {
    FUZZ_CHECK(input.size() % 4 == 0, "strict decode accepted a length not a multiple of 4");
    for (char c : input) FUZZ_CHECK(!is_space(c), "strict decode accepted whitespace");
    FUZZ_CHECK(lenient && *lenient == *strict, "lenient decode differs from strict");
    const std::string again = base64_encode(*strict);
    FUZZ_CHECK(again.size() == input.size(), again);
    const auto twice = base64_decode(again);
    FUZZ_CHECK(twice && *twice == *strict, again);
  }
  std::string stripped;
  for (char c : input) {
    if (!is_space(c)) stripped.push_back(c);
  }
  const auto lenient_stripped = base64_decode_lenient(stripped);
  FUZZ_CHECK(lenient.has_value() == lenient_stripped.has_value(),
             "whitespace changed lenient acceptance");
  if (lenient) FUZZ_CHECK(*lenient == *lenient_stripped, "whitespace changed lenient output");
  return 0;
}
