#include "mock_twilio/domain/magic.hpp"

#include <array>

namespace mock::twilio {
namespace {

using enum MagicScope;
using enum MagicEffect;

constexpr std::array<MagicNumber, 20> kTable{{
    // Twilio's test credentials, From (twilio-messaging.md §4; any other From: 21606).
    {"+15005550001", kTestFrom, kReject, 21212, 0, "invalid number"},
    {"+15005550006", kTestFrom, kPass, 0, 0, "passes all validation"},
    {"+15005550007", kTestFrom, kReject, 21606, 0, "not owned by the account / not SMS-capable"},
    {"+15005550008", kTestFrom, kReject, 21611, 0, "SMS queue full"},
    // Twilio's test credentials, To (with a valid From).
    {"+15005550001", kTestTo, kReject, 21211, 0, "invalid number"},
    {"+15005550002", kTestTo, kReject, 21612, 0, "Twilio cannot route to it"},
    {"+15005550003", kTestTo, kReject, 21408, 0, "no international permission"},
    {"+15005550004", kTestTo, kReject, 21610, 0, "blocked for the account (opted out)"},
    {"+15005550009", kTestTo, kReject, 21614, 0, "cannot receive SMS"},
    // The mock's reserved range, every account.
    {"+15550100001", kReserved, kUndelivered, 30003, 0, "Unreachable destination handset"},
    {"+15550100002", kReserved, kUndelivered, 30005, 0, "Unknown destination handset"},
    {"+15550100003", kReserved, kUndelivered, 30006, 0, "Landline or unreachable carrier"},
    {"+15550100004", kReserved, kUndelivered, 30007, 0, "Carrier violation"},
    {"+15550100005", kReserved, kUndelivered, 30008, 0, "Unknown error"},
    {"+15550100011", kReserved, kFailed, 30001, 0, "Queue overflow"},
    {"+15550100012", kReserved, kFailed, 30002, 0, "Account suspended"},
    {"+15550100013", kReserved, kFailed, 30004, 0, "Message blocked"},
    {"+15550100021", kReserved, kDelayedDelivery, 0, 60, "delivered 60 s after sent"},
    {"+15550100022", kReserved, kDelayedDelivery, 0, 600, "delivered 10 min after sent"},
    {"+15550100023", kReserved, kDelayedDelivery, 0, 3600, "delivered 1 h after sent"},
}};

}  // namespace

std::string_view to_string(MagicScope scope) {
  switch (scope) {
    case kTestFrom:
      return "test_from";
    case kTestTo:
      return "test_to";
    case kReserved:
      return "reserved";
  }
  return "reserved";
}

std::string_view to_string(MagicEffect effect) {
  switch (effect) {
    case kPass:
      return "pass";
    case kReject:
      return "reject";
    case kUndelivered:
      return "undelivered";
    case kFailed:
      return "failed";
    case kDelayedDelivery:
      return "delayed_delivery";
  }
  return "pass";
}

std::span<const MagicNumber> magic_numbers() { return kTable; }

std::optional<MagicNumber> find_magic(MagicScope scope, std::string_view number) {
  for (const auto& row : kTable) {
    if (row.scope == scope && row.number == number) return row;
  }
  return std::nullopt;
}

}  // namespace mock::twilio
