#pragma once
// The Groups API (truevault-api.md §5): groups, their policies and membership.
//
// Policies are validated by the PolicyEngine when written (400 GROUP.INVALID_POLICY, never a
// 500 later). Names are unique per account. Like Users, every operation authorizes first,
// then resolves ids inside the caller's account only (another account's group is 404).
//
// Thread safety: all methods may be called concurrently.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/model.hpp"
#include "mock_truevault/domain/policy_engine.hpp"

namespace mock::truevault {

class Store;

struct CreateGroupRequest {
  std::string name;
  nlohmann::json policy = nlohmann::json::array();
  std::vector<std::string> user_ids;
};

// PUT /v1/groups/{id} `operation`: APPEND or REMOVE; absent = replace the member list
// (truevault-api.md 5.2 [INFERRED]).
enum class MembershipOperation { kReplace, kAppend, kRemove };
std::optional<MembershipOperation> parse_membership_operation(std::string_view text);

struct UpdateGroupRequest {
  std::optional<std::string> name;
  std::optional<nlohmann::json> policy;
  std::optional<std::vector<std::string>> user_ids;
  MembershipOperation operation = MembershipOperation::kReplace;
};

class Groups {
 public:
  Groups(Store& store, Auth& auth, PolicyEngine& policy);

  common::Result<Group, ApiError> create_group(const Principal& caller,
                                               const CreateGroupRequest& request);
  // Only the groups the caller may read (R Group::ID), in creation order.
  common::Result<std::vector<Group>, ApiError> list_groups(const Principal& caller);
  common::Result<Group, ApiError> read_group(const Principal& caller, const std::string& id);
  common::Result<Group, ApiError> update_group(const Principal& caller, const std::string& id,
                                               const UpdateGroupRequest& request);
  // Detaches the group from every user, then deletes it.
  common::Result<Group, ApiError> delete_group(const Principal& caller, const std::string& id);
  // C / D Group::G::GroupMembership::U for each user.
  common::Result<Group, ApiError> add_users_to_group(const Principal& caller, const std::string& id,
                                                     const std::vector<std::string>& user_ids);
  common::Result<Group, ApiError> remove_users_from_group(const Principal& caller,
                                                          const std::string& id,
                                                          const std::vector<std::string>& user_ids);

 private:
  common::Result<Group, ApiError> find_in_account(const Principal& caller, const std::string& id);
  // 404 USER.NOT_FOUND for the first id that is not a user of the caller's account.
  common::Result<void, ApiError> check_users(const Principal& caller,
                                             const std::vector<std::string>& user_ids);

  Store& store_;
  Auth& auth_;
  PolicyEngine& policy_;
};

}  // namespace mock::truevault
