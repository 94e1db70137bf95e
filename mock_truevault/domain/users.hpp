#pragma once
// The Users API (truevault-api.md §4) and PUT /v1/auth/me (3.6).
//
// Every operation authorizes first (domain/permissions), then resolves ids inside the
// caller's account only: a user of another account is "not found" (404), never visible.
// Policy before existence, so a caller without the grant learns nothing about which ids
// exist (403 for any id).
//
// Thread safety: all methods may be called concurrently; check-then-write sequences hold
// the store's write lock.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/model.hpp"
#include "mock_truevault/domain/search.hpp"

namespace mock::truevault {

class Store;

struct CreateUserRequest {
  std::string username;
  std::optional<std::string> password;
  nlohmann::json attributes = nlohmann::json::object();
  std::vector<std::string> group_ids;
  UserStatus status = UserStatus::kActivated;  // ACTIVATED, PENDING or LOCKED
  std::optional<common::TimePoint> access_token_not_valid_after;
};

struct UpdateUserRequest {
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<nlohmann::json> attributes;
  std::optional<UserStatus> status;  // ACTIVATED, PENDING or LOCKED
};

struct CreatedUser {
  User user;
  std::string api_key;
  std::string access_token;
};

class Users {
 public:
  Users(Store& store, Auth& auth, const common::Clock& clock);

  common::Result<CreatedUser, ApiError> create_user(const Principal& caller,
                                                    const CreateUserRequest& request);
  // Only the users the caller may read (R User::ID), in creation order. `status` nullopt =
  // every user that is not DEACTIVATED.
  common::Result<std::vector<User>, ApiError> list_users(const Principal& caller,
                                                         std::optional<UserStatus> status);
  common::Result<User, ApiError> read_user(const Principal& caller, const std::string& id);
  common::Result<std::vector<User>, ApiError> read_users(const Principal& caller,
                                                         const std::vector<std::string>& ids);
  // POST /v1/users/search (4.10): needs R on the literal resource User::.* (a grant on every
  // user, so the matches are not filtered one by one). Searches every user of the caller's
  // account, DEACTIVATED ones included; the semantics are in domain/search.hpp.
  common::Result<SearchPage, ApiError> search_users(const Principal& caller,
                                                    const SearchQuery& query);
  common::Result<User, ApiError> update_user(const Principal& caller, const std::string& id,
                                             const UpdateUserRequest& request);
  // Deactivates: frees the username, revokes the API key and every access token, leaves
  // every group (4.7). Idempotent.
  common::Result<User, ApiError> delete_user(const Principal& caller, const std::string& id);
  // Rotates the API key; the previous one stops working at once (3.2).
  common::Result<std::string, ApiError> create_user_api_key(const Principal& caller,
                                                            const std::string& id);
  common::Result<UserWithToken, ApiError> create_user_access_token(
      const Principal& caller, const std::string& id,
      std::optional<common::TimePoint> not_valid_after);
  common::Result<User, ApiError> update_current_user(const Principal& caller,
                                                     const nlohmann::json& attributes);

 private:
  // The user `id` of the caller's account, or 404.
  common::Result<User, ApiError> find_in_account(const Principal& caller, const std::string& id);

  Store& store_;
  Auth& auth_;
  const common::Clock& clock_;  // created_at of new users
};

}  // namespace mock::truevault
