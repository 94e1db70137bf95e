#include "mock_twilio/domain/phone.hpp"

#include <algorithm>

namespace mock::twilio {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool is_e164(std::string_view number) {
  if (number.size() < 3 || number.size() > 16 || number[0] != '+') return false;
  const std::string_view digits = number.substr(1);
  return all_digits(digits) && digits[0] != '0';
}

std::optional<std::string> normalize_phone(std::string_view number) {
  if (is_e164(number)) return std::string(number);
  if (number.size() == 10 && all_digits(number)) return "+1" + std::string(number);
  return std::nullopt;
}

}  // namespace mock::twilio
