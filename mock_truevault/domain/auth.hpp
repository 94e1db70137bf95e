#pragma once
// Authentication and authorization (truevault-api.md §3, §6.3).
//
// Credentials: HTTP Basic with an API key or an access token as the username and an empty
// password (3.1). A non-empty password would be a scoped access token, which this mock does
// not implement (401). Access tokens expire 24 h after issue by default, or at
// not_valid_after, measured with the service Clock; logout revokes the calling token.
//
// authorize() evaluates the caller's group policies (the union of every group it belongs
// to) with the PolicyEngine against a rule of domain/permissions.
//
// Thread safety: all methods may be called concurrently.

#include <chrono>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/model.hpp"
#include "mock_truevault/domain/permissions.hpp"
#include "mock_truevault/domain/policy_engine.hpp"

namespace mock::truevault {

class Store;

inline constexpr std::chrono::hours kDefaultTokenLifetime{24};

struct Credential {
  std::string username;  // API key or access token
  std::string password;  // must be empty
};

struct LoginRequest {
  std::string account_id;
  std::string username;
  std::string password;
  std::optional<common::TimePoint> not_valid_after;
};

struct UserWithToken {
  User user;
  std::string access_token;
};

class Auth {
 public:
  Auth(Store& store, const common::Clock& clock, common::IdGenerator& ids, PolicyEngine& policy);

  // The caller behind `credential` (nullopt = no/malformed Authorization header): 401
  // AUTH.UNAUTHORIZED, AUTH.INVALID_CREDENTIALS, AUTH.TOKEN_EXPIRED or AUTH.TOKEN_REVOKED.
  // Users that are not ACTIVATED cannot authenticate.
  common::Result<Principal, ApiError> authenticate(const std::optional<Credential>& credential);

  // 403 AUTH.FORBIDDEN naming the activity and resource unless the caller's policies grant
  // `r` for `ids`. Check::kAnyCredential and kNone rules always pass.
  common::Result<void, ApiError> authorize(const Principal& caller, Rule r,
                                           const ResourceIds& ids = {});
  // Same as authorize, as a boolean (list filters, alternatives).
  bool allowed(const Principal& caller, Rule r, const ResourceIds& ids = {});

  // POST /v1/auth/login: a new access token for an ACTIVATED user with a password.
  common::Result<UserWithToken, ApiError> login(const LoginRequest& request);
  // POST /v1/auth/logout: revokes the calling token (an API key caller is left as is).
  User logout(const Principal& caller);

  // A new access token for `user_id`, valid until `not_valid_after` (default now + 24 h).
  std::string issue_token(const std::string& user_id,
                          std::optional<common::TimePoint> not_valid_after);
  // 400 REQUEST.INVALID_PARAMETER when `not_valid_after` is not in the future.
  common::Result<void, ApiError> check_not_valid_after(
      std::optional<common::TimePoint> not_valid_after) const;
  // A fresh API key (UUID v4).
  std::string new_api_key();
  // A fresh id (UUID v4) for a new user or group.
  std::string new_uuid();

 private:
  Store& store_;
  const common::Clock& clock_;
  common::IdGenerator& ids_;
  PolicyEngine& policy_;
};

}  // namespace mock::truevault
