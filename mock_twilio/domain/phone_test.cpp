#include "mock_twilio/domain/phone.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {

TEST_CASE("phone numbers: E.164 kept / national 10 digits read as US", "[twilio][phone]") {
  struct Case {
    const char* in;
    std::optional<std::string> out;
  };
  const Case cases[] = {
      {"+15557778888", "+15557778888"},
      {"5550001111", "+15550001111"},
      {"+447700900123", "+447700900123"},
      {"+12", "+12"},
      {"+123456789012345", "+123456789012345"},  // 15 digits: the E.164 maximum
      {"+1234567890123456", std::nullopt},       // 16 digits
      {"+05557778888", std::nullopt},            // country code cannot start with 0
      {"15557778888", std::nullopt},             // 11 digits without '+'
      {"555000111", std::nullopt},               // 9 digits
      {"555-000-1111", std::nullopt},
      {"+1555abc8888", std::nullopt},
      {"", std::nullopt},
      {"+", std::nullopt},
      {"whatsapp:+15557778888", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(normalize_phone(c.in) == c.out);
  }
  CHECK(is_e164("+15557778888"));
  CHECK_FALSE(is_e164("5550001111"));
}

}  // namespace mock::twilio
