#include "mock_truevault/domain/groups.hpp"

#include <algorithm>

#include "mock_truevault/store/store.hpp"

namespace mock::truevault {

std::optional<MembershipOperation> parse_membership_operation(std::string_view text) {
  if (text == "APPEND") return MembershipOperation::kAppend;
  if (text == "REMOVE") return MembershipOperation::kRemove;
  return std::nullopt;
}

Groups::Groups(Store& store, Auth& auth, PolicyEngine& policy)
    : store_(store), auth_(auth), policy_(policy) {}

common::Result<Group, ApiError> Groups::find_in_account(const Principal& caller,
                                                        const std::string& id) {
  auto group = store_.find_group(id);
  if (!group || group->account_id != caller.user.account_id) {
    return common::fail(errors::group_not_found(id));
  }
  return std::move(*group);
}

common::Result<void, ApiError> Groups::check_users(const Principal& caller,
                                                   const std::vector<std::string>& user_ids) {
  for (const auto& uid : user_ids) {
    auto user = store_.find_user(uid);
    if (!user || user->account_id != caller.user.account_id) {
      return common::fail(errors::user_not_found(uid));
    }
  }
  return {};
}

common::Result<Group, ApiError> Groups::create_group(const Principal& caller,
                                                     const CreateGroupRequest& request) {
  if (auto ok = auth_.authorize(caller, Rule::kCreateGroup); !ok) return common::fail(ok.error());
  if (request.name.empty()) return common::fail(errors::missing_parameter("name"));
  if (auto valid = policy_.validate(request.policy); !valid) return common::fail(valid.error());
  if (auto ok = check_users(caller, request.user_ids); !ok) return common::fail(ok.error());
  auto lock = store_.lock_writes();
  if (store_.find_group_by_name(caller.user.account_id, request.name)) {
    return common::fail(errors::group_name_in_use(request.name));
  }
  Group g;
  g.id = auth_.new_uuid();
  g.account_id = caller.user.account_id;
  g.name = request.name;
  g.policy = request.policy;
  for (const auto& uid : request.user_ids) {
    if (std::find(g.user_ids.begin(), g.user_ids.end(), uid) == g.user_ids.end()) {
      g.user_ids.push_back(uid);
    }
  }
  store_.insert_group(g);
  return g;
}

common::Result<std::vector<Group>, ApiError> Groups::list_groups(const Principal& caller) {
  if (auto ok = auth_.authorize(caller, Rule::kListGroups); !ok) return common::fail(ok.error());
  std::vector<Group> out;
  for (auto& g : store_.list_groups(caller.user.account_id)) {
    if (auth_.allowed(caller, Rule::kListGroupsItem, {.group_id = g.id})) {
      out.push_back(std::move(g));
    }
  }
  return out;
}

common::Result<Group, ApiError> Groups::read_group(const Principal& caller, const std::string& id) {
  if (auto ok = auth_.authorize(caller, Rule::kReadGroup, {.group_id = id}); !ok) {
    return common::fail(ok.error());
  }
  return find_in_account(caller, id);
}

common::Result<Group, ApiError> Groups::update_group(const Principal& caller, const std::string& id,
                                                     const UpdateGroupRequest& request) {
  if (auto ok = auth_.authorize(caller, Rule::kUpdateGroup, {.group_id = id}); !ok) {
    return common::fail(ok.error());
  }
  if (request.policy) {
    if (auto valid = policy_.validate(*request.policy); !valid) {
      return common::fail(valid.error());
    }
  }
  if (request.name && request.name->empty()) {
    return common::fail(errors::invalid_parameter("name", "must not be empty"));
  }
  auto lock = store_.lock_writes();
  auto group = find_in_account(caller, id);
  if (!group) return common::fail(group.error());
  if (request.user_ids) {
    if (auto ok = check_users(caller, *request.user_ids); !ok) return common::fail(ok.error());
  }
  if (request.name && *request.name != group->name) {
    if (store_.find_group_by_name(group->account_id, *request.name)) {
      return common::fail(errors::group_name_in_use(*request.name));
    }
    group->name = *request.name;
  }
  if (request.policy) group->policy = *request.policy;
  store_.update_group(*group);
  if (request.user_ids) {
    switch (request.operation) {
      case MembershipOperation::kAppend:
        store_.add_members(group->id, *request.user_ids);
        break;
      case MembershipOperation::kRemove:
        store_.remove_members(group->id, *request.user_ids);
        break;
      case MembershipOperation::kReplace:
        store_.set_members(group->id, *request.user_ids);
        break;
    }
  }
  return find_in_account(caller, id);
}

common::Result<Group, ApiError> Groups::delete_group(const Principal& caller,
                                                     const std::string& id) {
  if (auto ok = auth_.authorize(caller, Rule::kDeleteGroup, {.group_id = id}); !ok) {
    return common::fail(ok.error());
  }
  auto lock = store_.lock_writes();
  auto group = find_in_account(caller, id);
  if (!group) return common::fail(group.error());
  store_.delete_group(id);
  return group;
}

common::Result<Group, ApiError> Groups::add_users_to_group(
    const Principal& caller, const std::string& id, const std::vector<std::string>& user_ids) {
  for (const auto& uid : user_ids) {
    if (auto ok =
            auth_.authorize(caller, Rule::kAddUserToGroup, {.group_id = id, .member_id = uid});
        !ok) {
      return common::fail(ok.error());
    }
  }
  auto lock = store_.lock_writes();
  auto group = find_in_account(caller, id);
  if (!group) return common::fail(group.error());
  if (auto ok = check_users(caller, user_ids); !ok) return common::fail(ok.error());
  store_.add_members(id, user_ids);
  return find_in_account(caller, id);
}

common::Result<Group, ApiError> Groups::remove_users_from_group(
    const Principal& caller, const std::string& id, const std::vector<std::string>& user_ids) {
  for (const auto& uid : user_ids) {
    if (auto ok =
            auth_.authorize(caller, Rule::kRemoveUserFromGroup, {.group_id = id, .member_id = uid});
        !ok) {
      return common::fail(ok.error());
    }
  }
  auto lock = store_.lock_writes();
  auto group = find_in_account(caller, id);
  if (!group) return common::fail(group.error());
  // An id that is no user of the caller's account (another tenant's) is 404, as when adding.
  if (auto ok = check_users(caller, user_ids); !ok) return common::fail(ok.error());
  store_.remove_members(id, user_ids);
  return find_in_account(caller, id);
}

}  // namespace mock::truevault
