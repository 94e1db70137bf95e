#pragma once
// THE endpoint -> (activity, resource) table (truevault-api.md §6.2, §6.3). Every
// authorization check in mock_truevault names one of these rules; nothing else spells a
// resource string. Issue 7 generates the README's authorization matrix from endpoint_rules().
//
// Resource templates use {user_id}, {group_id} and {member_id}; permission() fills them.

#include <span>
#include <string>
#include <string_view>

namespace mock::truevault {

enum class Check {
  kNone,           // no credentials needed (login)
  kAnyCredential,  // any valid API key or access token (auth/me, logout)
  kPolicy,         // the group policies must grant activity on resource
};

// One authorization rule. Some endpoints have several (alternatives, per-item filters).
enum class Rule {
  kLogin,
  kLogout,
  kReadCurrentUser,
  kUpdateCurrentUser,
  kCreateUser,
  kCreateUserInGroup,  // POST /v1/users with group_ids, for each group (or kUpdateGroup)
  kListUsers,
  kListUsersItem,  // GET /v1/users returns only the users the caller may read
  kReadUser,
  kReadUsers,    // GET /v2/users/{ids}: for each id
  kSearchUsers,  // POST /v1/users/search: R on the literal string User::.* (6.2, 6.3)
  kUpdateUser,
  kUpdateUserPassword,  // PUT /v1/users/{id} with only `password`: alternative to U User::X
  kDeleteUser,
  kCreateUserApiKey,
  kCreateUserAccessToken,
  kSendSms,
  kCreateGroup,
  kListGroups,
  kListGroupsItem,  // GET /v1/groups returns only the groups the caller may read
  kReadGroup,
  kUpdateGroup,
  kDeleteGroup,
  kAddUserToGroup,       // POST /v1/groups/{id}/membership: for each user
  kRemoveUserFromGroup,  // DELETE /v1/groups/{id}/membership/{ids}: for each user
};

struct EndpointRule {
  Rule rule;
  std::string_view operation;  // vendor operation (snake_case)
  std::string_view method;
  std::string_view path;
  Check check;
  char activity;              // C, R, U, D; 0 when check != kPolicy
  std::string_view resource;  // template; "" when check != kPolicy
  std::string_view note;
};

// Every rule, in route order.
std::span<const EndpointRule> endpoint_rules();
const EndpointRule& rule(Rule r);

struct ResourceIds {
  std::string_view user_id = {};
  std::string_view group_id = {};
  std::string_view member_id = {};
};

struct Permission {
  char activity = 0;
  std::string resource;
};
// The activity and the filled-in resource of `r`.
Permission permission(Rule r, const ResourceIds& ids = {});

}  // namespace mock::truevault
