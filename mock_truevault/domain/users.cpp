#include "mock_truevault/domain/users.hpp"

#include "common/crypto.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {

Users::Users(Store& store, Auth& auth, const common::Clock& clock)
    : store_(store), auth_(auth), clock_(clock) {}

common::Result<User, ApiError> Users::find_in_account(const Principal& caller,
                                                      const std::string& id) {
  auto user = store_.find_user(id);
  if (!user || user->account_id != caller.user.account_id) {
    return common::fail(errors::user_not_found(id));
  }
  return std::move(*user);
}

common::Result<CreatedUser, ApiError> Users::create_user(const Principal& caller,
                                                         const CreateUserRequest& request) {
  if (auto ok = auth_.authorize(caller, Rule::kCreateUser); !ok) return common::fail(ok.error());
  // Adding to groups needs C Group::G::GroupMembership::.* or U Group::G per group (4.2).
  for (const auto& gid : request.group_ids) {
    if (!auth_.allowed(caller, Rule::kCreateUserInGroup, {.group_id = gid}) &&
        !auth_.allowed(caller, Rule::kUpdateGroup, {.group_id = gid})) {
      const Permission p = permission(Rule::kCreateUserInGroup, {.group_id = gid});
      return common::fail(errors::forbidden(p.activity, p.resource));
    }
    auto group = store_.find_group(gid);
    if (!group || group->account_id != caller.user.account_id) {
      return common::fail(errors::group_not_found(gid));
    }
  }
  if (request.username.empty()) return common::fail(errors::missing_parameter("username"));
  if (auto ok = auth_.check_not_valid_after(request.access_token_not_valid_after); !ok) {
    return common::fail(ok.error());
  }

  auto lock = store_.lock_writes();
  if (store_.find_live_user_by_username(caller.user.account_id, request.username)) {
    return common::fail(errors::username_in_use(request.username));
  }
  CreatedUser out;
  User& u = out.user;
  u.id = auth_.new_uuid();
  u.account_id = caller.user.account_id;
  u.username = request.username;
  if (request.password) u.password_hash = common::sha256_hex(*request.password);
  u.status = request.status;
  u.attributes = request.attributes;
  u.created_at = clock_.now();
  out.api_key = auth_.new_api_key();
  u.api_key = out.api_key;
  store_.insert_user(u);
  for (const auto& gid : request.group_ids) {
    store_.add_members(gid, {u.id});
    u.group_ids.push_back(gid);
  }
  out.access_token = auth_.issue_token(u.id, request.access_token_not_valid_after);
  return out;
}

common::Result<std::vector<User>, ApiError> Users::list_users(const Principal& caller,
                                                              std::optional<UserStatus> status) {
  if (auto ok = auth_.authorize(caller, Rule::kListUsers); !ok) return common::fail(ok.error());
  std::vector<User> out;
  for (auto& u : store_.list_users(caller.user.account_id, status)) {
    if (auth_.allowed(caller, Rule::kListUsersItem, {.user_id = u.id})) out.push_back(std::move(u));
  }
  return out;
}

common::Result<User, ApiError> Users::read_user(const Principal& caller, const std::string& id) {
  if (auto ok = auth_.authorize(caller, Rule::kReadUser, {.user_id = id}); !ok) {
    return common::fail(ok.error());
  }
  return find_in_account(caller, id);
}

common::Result<std::vector<User>, ApiError> Users::read_users(const Principal& caller,
                                                              const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (auto ok = auth_.authorize(caller, Rule::kReadUsers, {.user_id = id}); !ok) {
      return common::fail(ok.error());
    }
  }
  std::vector<User> out;
  for (const auto& id : ids) {
    auto user = find_in_account(caller, id);
    if (!user) return common::fail(user.error());
    out.push_back(std::move(*user));
  }
  return out;
}

common::Result<SearchPage, ApiError> Users::search_users(const Principal& caller,
                                                         const SearchQuery& query) {
  if (auto ok = auth_.authorize(caller, Rule::kSearchUsers); !ok) return common::fail(ok.error());
  return page_of(query, store_.search_users(caller.user.account_id, query));
}

common::Result<User, ApiError> Users::update_user(const Principal& caller, const std::string& id,
                                                  const UpdateUserRequest& request) {
  const bool password_only =
      request.password && !request.username && !request.attributes && !request.status;
  // A password-only change may be granted by U User::X::Password instead (4.6).
  if (!(password_only && auth_.allowed(caller, Rule::kUpdateUserPassword, {.user_id = id}))) {
    if (auto ok = auth_.authorize(caller, Rule::kUpdateUser, {.user_id = id}); !ok) {
      return common::fail(ok.error());
    }
  }
  auto lock = store_.lock_writes();
  auto user = find_in_account(caller, id);
  if (!user) return common::fail(user.error());
  if (request.username && request.username->empty()) {
    return common::fail(errors::invalid_parameter("username", "must not be empty"));
  }
  if (request.username && *request.username != user->username) {
    auto other = store_.find_live_user_by_username(user->account_id, *request.username);
    if (other && other->id != user->id) {
      return common::fail(errors::username_in_use(*request.username));
    }
    user->username = *request.username;
  }
  if (request.password) user->password_hash = common::sha256_hex(*request.password);
  if (request.attributes) user->attributes = *request.attributes;
  if (request.status) user->status = *request.status;
  store_.update_user(*user);
  return std::move(*user);
}

common::Result<User, ApiError> Users::delete_user(const Principal& caller, const std::string& id) {
  if (auto ok = auth_.authorize(caller, Rule::kDeleteUser, {.user_id = id}); !ok) {
    return common::fail(ok.error());
  }
  auto lock = store_.lock_writes();
  auto user = find_in_account(caller, id);
  if (!user) return common::fail(user.error());
  user->status = UserStatus::kDeactivated;
  user->api_key.reset();
  store_.update_user(*user);
  store_.revoke_user_tokens(user->id);
  store_.remove_user_from_all_groups(user->id);
  user->group_ids.clear();
  return std::move(*user);
}

common::Result<std::string, ApiError> Users::create_user_api_key(const Principal& caller,
                                                                 const std::string& id) {
  if (auto ok = auth_.authorize(caller, Rule::kCreateUserApiKey, {.user_id = id}); !ok) {
    return common::fail(ok.error());
  }
  auto lock = store_.lock_writes();
  auto user = find_in_account(caller, id);
  if (!user) return common::fail(user.error());
  user->api_key = auth_.new_api_key();
  store_.update_user(*user);
  return *user->api_key;
}

common::Result<UserWithToken, ApiError> Users::create_user_access_token(
    const Principal& caller, const std::string& id,
    std::optional<common::TimePoint> not_valid_after) {
  if (auto ok = auth_.authorize(caller, Rule::kCreateUserAccessToken, {.user_id = id}); !ok) {
    return common::fail(ok.error());
  }
  auto user = find_in_account(caller, id);
  if (!user) return common::fail(user.error());
  if (auto ok = auth_.check_not_valid_after(not_valid_after); !ok) {
    return common::fail(ok.error());
  }
  std::string token = auth_.issue_token(user->id, not_valid_after);
  return UserWithToken{std::move(*user), std::move(token)};
}

common::Result<User, ApiError> Users::update_current_user(const Principal& caller,
                                                          const nlohmann::json& attributes) {
  auto lock = store_.lock_writes();
  auto user = store_.find_user(caller.user.id);
  if (!user) return common::fail(errors::user_not_found(caller.user.id));
  user->attributes = attributes;
  store_.update_user(*user);
  return std::move(*user);
}

}  // namespace mock::truevault
