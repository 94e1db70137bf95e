#include "mock_truevault/domain/permissions.hpp"

#include <array>

namespace mock::truevault {
namespace {

using enum Rule;
constexpr Check kNone = Check::kNone;
constexpr Check kAny = Check::kAnyCredential;
constexpr Check kPol = Check::kPolicy;

// clang-format off
constexpr std::array kRules = {
  EndpointRule{kLogin,                 "login",                    "POST",   "/v1/auth/login",                     kNone, 0,   "",                                        "username/password login"},
  EndpointRule{kLogout,                "logout",                   "POST",   "/v1/auth/logout",                    kAny,  0,   "",                                        "revokes the calling access token"},
  EndpointRule{kReadCurrentUser,       "read_current_user",        "GET",    "/v1/auth/me",                        kAny,  0,   "",                                        ""},
  EndpointRule{kUpdateCurrentUser,     "update_current_user",      "PUT",    "/v1/auth/me",                        kAny,  0,   "",                                        "own attributes"},
  EndpointRule{kCreateUser,            "create_user",              "POST",   "/v1/users",                          kPol,  'C', "User::",                                  ""},
  EndpointRule{kCreateUserInGroup,     "create_user",              "POST",   "/v1/users",                          kPol,  'C', "Group::{group_id}::GroupMembership::.*",  "per group_ids entry; U Group::{group_id} also suffices"},
  EndpointRule{kListUsers,             "list_users",               "GET",    "/v1/users",                          kPol,  'R', "User::",                                  ""},
  EndpointRule{kListUsersItem,         "list_users",               "GET",    "/v1/users",                          kPol,  'R', "User::{user_id}",                         "filter: only readable users are listed"},
  EndpointRule{kReadUser,              "read_user",                "GET",    "/v1/users/{user_id}",                kPol,  'R', "User::{user_id}",                         ""},
  EndpointRule{kReadUsers,             "read_users",               "GET",    "/v2/users/{user_ids}",               kPol,  'R', "User::{user_id}",                         "for each id"},
  EndpointRule{kSearchUsers,           "search_users",             "POST",   "/v1/users/search",                   kPol,  'R', "User::.*",                                "the literal string User::.*: a grant on every user"},
  EndpointRule{kUpdateUser,            "update_user",              "PUT",    "/v1/users/{user_id}",                kPol,  'U', "User::{user_id}",                         ""},
  EndpointRule{kUpdateUserPassword,    "update_user",              "PUT",    "/v1/users/{user_id}",                kPol,  'U', "User::{user_id}::Password",               "alternative when only password changes"},
  EndpointRule{kDeleteUser,            "delete_user",              "DELETE", "/v1/users/{user_id}",                kPol,  'D', "User::{user_id}",                         ""},
  EndpointRule{kCreateUserApiKey,      "create_user_api_key",      "POST",   "/v1/users/{user_id}/api_key",        kPol,  'U', "User::{user_id}",                         ""},
  EndpointRule{kCreateUserAccessToken, "create_user_access_token", "POST",   "/v1/users/{user_id}/access_token",   kPol,  'U', "User::{user_id}",                         ""},
  EndpointRule{kSendSms,               "send_sms",                 "POST",   "/v1/users/{user_id}/message/sms",    kPol,  'C', "User::{user_id}::Message",                ""},
  EndpointRule{kCreateGroup,           "create_group",             "POST",   "/v1/groups",                         kPol,  'C', "Group::",                                 ""},
  EndpointRule{kListGroups,            "list_groups",              "GET",    "/v1/groups",                         kPol,  'R', "Group::",                                 ""},
  EndpointRule{kListGroupsItem,        "list_groups",              "GET",    "/v1/groups",                         kPol,  'R', "Group::{group_id}",                       "filter: only readable groups are listed"},
  EndpointRule{kReadGroup,             "read_group",               "GET",    "/v1/groups/{group_id}",              kPol,  'R', "Group::{group_id}",                       ""},
  EndpointRule{kUpdateGroup,           "update_group",             "PUT",    "/v1/groups/{group_id}",              kPol,  'U', "Group::{group_id}",                       ""},
  EndpointRule{kDeleteGroup,           "delete_group",             "DELETE", "/v1/groups/{group_id}",              kPol,  'D', "Group::{group_id}",                       ""},
  EndpointRule{kAddUserToGroup,        "add_users_to_group",       "POST",   "/v1/groups/{group_id}/membership",   kPol,  'C', "Group::{group_id}::GroupMembership::{member_id}", "for each user"},
  EndpointRule{kRemoveUserFromGroup,   "remove_users_from_group",  "DELETE", "/v1/groups/{group_id}/membership/{user_ids}", kPol, 'D', "Group::{group_id}::GroupMembership::{member_id}", "for each user"},
};
// clang-format on

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

std::span<const EndpointRule> endpoint_rules() { return kRules; }

const EndpointRule& rule(Rule r) {
  for (const auto& e : kRules) {
    if (e.rule == r) return e;
  }
  return kRules.front();  // unreachable: every Rule has a row (pinned by permissions_test)
}

Permission permission(Rule r, const ResourceIds& ids) {
  const EndpointRule& e = rule(r);
  Permission p{e.activity, std::string(e.resource)};
  replace_all(p.resource, "{user_id}", ids.user_id);
  replace_all(p.resource, "{group_id}", ids.group_id);
  replace_all(p.resource, "{member_id}", ids.member_id);
  return p;
}

}  // namespace mock::truevault
