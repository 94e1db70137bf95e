#include "mock_truevault/store/fixture.hpp"

#include <set>

#include <fmt/format.h>

namespace mock::truevault {
namespace {

constexpr const char* kUuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
constexpr const char* kUuidWhat = "a lower-case hyphenated UUID";

// kUuid, checked by hand: FixtureReader's pattern overloads build a std::regex per call, and
// compiling this one (bounded repeats) cost ~1.4M instructions, about 15 ms of the default
// fixture's start-up (bench/README.md, cold start). Same errors, same messages.
bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (i == 8 || i == 13 || i == 18 || i == 23)
                        ? c == '-'
                        : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!ok) return false;
  }
  return true;
}

void check_uuid(common::FixtureReader& r, const std::string& key, const std::string& value) {
  // Like FixtureReader: only the first error is reported, so check only while there is none.
  if (r.errors().ok() && !is_uuid(value)) {
    r.error(key, fmt::format("'{}' is not {} (must match {})", value, kUuidWhat, kUuid));
  }
}

std::string required_uuid(common::FixtureReader& r, const std::string& key) {
  std::string s = r.required_string(key);
  check_uuid(r, key, s);
  return s;
}

std::optional<std::string> optional_uuid(common::FixtureReader& r, const std::string& key) {
  auto s = r.optional_string(key);
  if (s) check_uuid(r, key, *s);
  return s;
}

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
      a.id = required_uuid(r, "id");
      a.name = r.optional_string("name").value_or("");
      if (!account_ids.insert(a.id).second) r.error("id", "duplicate account id");
      data.accounts.push_back(std::move(a));
    }

    const auto& users = root.array("users");
    for (std::size_t i = 0; i < users.size(); ++i) {
      common::FixtureReader r(users[i], fmt::format("/truevault/users/{}", i), errors);
      FixtureData::FixtureUser fu;
      User& u = fu.user;
      u.id = required_uuid(r, "id");
      u.account_id = required_uuid(r, "account_id");
      u.username = r.required_string("username");
      fu.password = r.optional_string("password");
      u.api_key = optional_uuid(r, "api_key");
      if (auto status = r.optional_string("status")) {
        auto parsed = parse_user_status(*status);
        if (!parsed) {
          r.error("status", "must be ACTIVATED, PENDING, LOCKED or DEACTIVATED");
        } else {
          u.status = *parsed;
        }
      }
      u.attributes = r.optional_json("attributes").value_or(nlohmann::json::object());
      fu.created_at = r.optional_string("created_at");  // parsed by the service (ISO-8601)
      if (!account_ids.contains(u.account_id)) r.error("account_id", "no such account");
      if (!user_ids.insert(u.id).second) r.error("id", "duplicate user id");
      if (u.api_key && !api_keys.insert(*u.api_key).second) r.error("api_key", "duplicate key");
      data.users.push_back(std::move(fu));
    }

    const auto& groups = root.array("groups");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      common::FixtureReader r(groups[i], fmt::format("/truevault/groups/{}", i), errors);
      Group g;
      g.id = required_uuid(r, "id");
      g.account_id = required_uuid(r, "account_id");
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
