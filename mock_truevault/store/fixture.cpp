#include "mock_truevault/store/fixture.hpp"

#include <set>

#include <fmt/format.h>

namespace mock::truevault {
namespace {

constexpr const char* kUuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
constexpr const char* kUuidWhat = "a lower-case hyphenated UUID";

}  // namespace

common::Result<FixtureData, std::string> read_fixture_section(const common::FixtureFile& file,
                                                              const PolicyCheck& check_policy) {
  FixtureData data;
  common::FixtureErrors errors(file.path);
  const nlohmann::json empty_section = nlohmann::json::object();
  const auto section = file.doc.find("truevault");
  {
    common::FixtureReader root(section == file.doc.end() ? empty_section : *section, "/truevault",
                               errors);
    std::set<std::string> account_ids;
    std::set<std::string> user_ids;
    std::set<std::string> api_keys;
    std::set<std::string> group_ids;

    const auto& accounts = root.array("accounts");
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      common::FixtureReader r(accounts[i], fmt::format("/truevault/accounts/{}", i), errors);
      Account a;
      a.id = r.required_string("id", kUuid, kUuidWhat);
      a.name = r.optional_string("name").value_or("");
      if (!account_ids.insert(a.id).second) r.error("id", "duplicate account id");
      data.accounts.push_back(std::move(a));
    }

    const auto& users = root.array("users");
    for (std::size_t i = 0; i < users.size(); ++i) {
      common::FixtureReader r(users[i], fmt::format("/truevault/users/{}", i), errors);
      FixtureData::FixtureUser fu;
      User& u = fu.user;
      u.id = r.required_string("id", kUuid, kUuidWhat);
      u.account_id = r.required_string("account_id", kUuid, kUuidWhat);
      u.username = r.required_string("username");
      fu.password = r.optional_string("password");
      u.api_key = r.optional_string("api_key", kUuid, kUuidWhat);
      if (auto status = r.optional_string("status")) {
        auto parsed = parse_user_status(*status);
        if (!parsed) {
          r.error("status", "must be ACTIVATED, PENDING, LOCKED or DEACTIVATED");
        } else {
          u.status = *parsed;
        }
      }
      u.attributes = r.optional_json("attributes").value_or(nlohmann::json::object());
      if (!account_ids.contains(u.account_id)) r.error("account_id", "no such account");
      if (!user_ids.insert(u.id).second) r.error("id", "duplicate user id");
      if (u.api_key && !api_keys.insert(*u.api_key).second) r.error("api_key", "duplicate key");
      data.users.push_back(std::move(fu));
    }

    const auto& groups = root.array("groups");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      common::FixtureReader r(groups[i], fmt::format("/truevault/groups/{}", i), errors);
      Group g;
      g.id = r.required_string("id", kUuid, kUuidWhat);
      g.account_id = r.required_string("account_id", kUuid, kUuidWhat);
      g.name = r.required_string("name");
      g.policy = r.optional_json("policy").value_or(nlohmann::json::array());
      g.user_ids = r.string_array("user_ids");
      if (!account_ids.contains(g.account_id)) r.error("account_id", "no such account");
      if (!group_ids.insert(g.id).second) r.error("id", "duplicate group id");
      if (auto problem = check_policy(g.policy)) r.error("policy", *problem);
      for (const auto& uid : g.user_ids) {
        bool found = false;
        for (const auto& fu : data.users) {
          if (fu.user.id == uid) {
            found = true;
            if (fu.user.account_id != g.account_id) {
              r.error("user_ids", fmt::format("user {} belongs to another account", uid));
            }
          }
        }
        if (!found) r.error("user_ids", fmt::format("no such user {}", uid));
      }
      data.groups.push_back(std::move(g));
    }
  }
  if (!errors.ok()) return common::fail(*errors.first());
  // Memberships are also visible from the user side.
  for (const auto& g : data.groups) {
    for (const auto& uid : g.user_ids) {
      for (auto& fu : data.users) {
        if (fu.user.id == uid) fu.user.group_ids.push_back(g.id);
      }
    }
  }
  return data;
}

}  // namespace mock::truevault
