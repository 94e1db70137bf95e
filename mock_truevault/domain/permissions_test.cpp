#include "mock_truevault/domain/permissions.hpp"

#include <set>

#include <catch2/catch.hpp>

namespace mock::truevault {
namespace {

TEST_CASE("every rule has exactly one row in the table", "[truevault][permissions]") {
  std::set<Rule> seen;
  for (const auto& e : endpoint_rules()) {
    CHECK(seen.insert(e.rule).second);
    if (e.check == Check::kPolicy) {
      CHECK(std::string("CRUD").find(e.activity) != std::string::npos);
      CHECK_FALSE(e.resource.empty());
    } else {
      CHECK(e.activity == 0);
    }
  }
  CHECK(seen.size() == static_cast<std::size_t>(Rule::kRemoveUserFromGroup) + 1);
}

TEST_CASE("permission fills the resource template", "[truevault][permissions]") {
  auto p = permission(Rule::kSendSms, {.user_id = "u1"});
  CHECK(p.activity == 'C');
  CHECK(p.resource == "User::u1::Message");
  p = permission(Rule::kAddUserToGroup, {.group_id = "g1", .member_id = "u2"});
  CHECK(p.activity == 'C');
  CHECK(p.resource == "Group::g1::GroupMembership::u2");
  p = permission(Rule::kCreateUserInGroup, {.group_id = "g1"});
  CHECK(p.resource == "Group::g1::GroupMembership::.*");
  CHECK(permission(Rule::kCreateUser).resource == "User::");
  CHECK(permission(Rule::kListGroups).resource == "Group::");
  CHECK(permission(Rule::kUpdateUserPassword, {.user_id = "u1"}).resource == "User::u1::Password");
  CHECK(rule(Rule::kLogin).check == Check::kNone);
  CHECK(rule(Rule::kReadCurrentUser).check == Check::kAnyCredential);
}

}  // namespace
}  // namespace mock::truevault
