#include "mock_truevault/domain/auth.hpp"

#include "common/crypto.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {

Auth::Auth(Store& store, const common::Clock& clock, common::IdGenerator& ids, PolicyEngine& policy)
    : store_(store), clock_(clock), ids_(ids), policy_(policy) {}

common::Result<Principal, ApiError> Auth::authenticate(
    const std::optional<Credential>& credential) {
  if (!credential || credential->username.empty()) {
    return common::fail(errors::missing_credentials());
  }
  if (!credential->password.empty()) return common::fail(errors::scoped_tokens_unsupported());
  const std::string& secret = credential->username;
  Principal principal;
  if (auto user = store_.find_user_by_api_key(secret)) {
    principal.user = std::move(*user);
  } else if (auto token = store_.find_token(secret)) {
    if (token->revoked) return common::fail(errors::token_revoked());
    if (clock_.now() >= token->not_valid_after) return common::fail(errors::token_expired());
    auto owner = store_.find_user(token->user_id);
    if (!owner) return common::fail(errors::invalid_credentials());
    principal.user = std::move(*owner);
    principal.access_token = secret;
  } else {
    return common::fail(errors::invalid_credentials());
  }
  if (principal.user.status != UserStatus::kActivated) {
    return common::fail(errors::invalid_credentials());
  }
  return principal;
}

bool Auth::allowed(const Principal& caller, Rule r, const ResourceIds& ids) {
  if (rule(r).check != Check::kPolicy) return true;
  const Permission p = permission(r, ids);
  return policy_.allows(store_.policies_of_user(caller.user.id), p.activity, p.resource,
                        caller.user.id);
}

common::Result<void, ApiError> Auth::authorize(const Principal& caller, Rule r,
                                               const ResourceIds& ids) {
  if (allowed(caller, r, ids)) return {};
  const Permission p = permission(r, ids);
  return common::fail(errors::forbidden(p.activity, p.resource));
}

common::Result<UserWithToken, ApiError> Auth::login(const LoginRequest& request) {
  if (auto bad = check_not_valid_after(request.not_valid_after); !bad) {
    return common::fail(bad.error());
  }
  auto user = store_.find_live_user_by_username(request.account_id, request.username);
  // One message for every failure: the server never says which part was wrong (3.3).
  if (!user || user->status != UserStatus::kActivated || !user->password_hash ||
      *user->password_hash != common::sha256_hex(request.password)) {
    return common::fail(errors::login_failed());
  }
  std::string token = issue_token(user->id, request.not_valid_after);
  return UserWithToken{std::move(*user), std::move(token)};
}

User Auth::logout(const Principal& caller) {
  if (caller.access_token) store_.revoke_token(*caller.access_token);
  return caller.user;
}

std::string Auth::issue_token(const std::string& user_id,
                              std::optional<common::TimePoint> not_valid_after) {
  // Shaped like TrueVault's itsdangerous tokens (a leading '.', dotted parts; 1.5).
  std::string token = ".eJ" + ids_.hex(40) + "." + ids_.hex(6) + "." + ids_.hex(27);
  store_.insert_token(AccessToken{
      token, user_id, not_valid_after.value_or(clock_.now() + kDefaultTokenLifetime), false});
  return token;
}

common::Result<void, ApiError> Auth::check_not_valid_after(
    std::optional<common::TimePoint> not_valid_after) const {
  if (not_valid_after && *not_valid_after <= clock_.now()) {
    return common::fail(errors::invalid_parameter("not_valid_after", "must be in the future"));
  }
  return {};
}

std::string Auth::new_api_key() { return ids_.uuid4(); }
std::string Auth::new_uuid() { return ids_.uuid4(); }

}  // namespace mock::truevault
