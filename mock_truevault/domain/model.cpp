#include "mock_truevault/domain/model.hpp"

namespace mock::truevault {

std::string to_string(UserStatus status) {
  switch (status) {
    case UserStatus::kActivated:
      return "ACTIVATED";
    case UserStatus::kPending:
      return "PENDING";
    case UserStatus::kLocked:
      return "LOCKED";
    case UserStatus::kDeactivated:
      return "DEACTIVATED";
  }
  return "ACTIVATED";
}

std::optional<UserStatus> parse_user_status(std::string_view text) {
  if (text == "ACTIVATED") return UserStatus::kActivated;
  if (text == "PENDING") return UserStatus::kPending;
  if (text == "LOCKED") return UserStatus::kLocked;
  if (text == "DEACTIVATED") return UserStatus::kDeactivated;
  return std::nullopt;
}

}  // namespace mock::truevault
