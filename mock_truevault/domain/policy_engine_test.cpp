#include "mock_truevault/domain/policy_engine.hpp"

#include <catch2/catch.hpp>

namespace mock::truevault {
namespace {

using nlohmann::json;

const std::string kCaller = "4a635639-fcf5-4cca-9b79-25376fdb460f";
const std::string kOther = "00000000-0000-4000-a000-000000000101";

json full_admin() {
  return json::parse(R"([
    {"Activities": "CRUDA", "Resources": ["Vault::.*"]},
    {"Activities": "CRUDA", "Resources": ["Account::.*", "User::.*", "Group::.*", "UserVault::.*"]}
  ])");
}

TEST_CASE("policy engine grants and denials", "[truevault][policy]") {
  struct Case {
    const char* name;
    json policy;
    char activity;
    std::string resource;
    bool granted;
  };
  const json notifiers =
      json::parse(R"([{"Resources": ["User::.*::Message"], "Activities": "C"}])");
  const json self = json::parse(R"([{"Resources": ["User::$[id=self.id]"], "Activities": "RU"}])");
  const json read_only = json::parse(
      R"([{"Activities": "R", "Resources": ["Vault::.*", "Vault::.*::Document::.*"]}])");
  const std::vector<Case> cases = {
      // FULL_ADMIN holds only "User::.*" yet creates users: ".*" matches the empty string.
      {"admin creates users", full_admin(), 'C', "User::", true},
      {"admin lists groups", full_admin(), 'R', "Group::", true},
      {"admin reads a user", full_admin(), 'R', "User::" + kOther, true},
      // ".*" crosses "::" boundaries (regex semantics).
      {"admin messages a user", full_admin(), 'C', "User::" + kCaller + "::Message", true},
      {"admin adds a member", full_admin(), 'C', "Group::g1::GroupMembership::" + kCaller, true},
      // "A" is stored and echoed, never a grant of its own; unknown letters are not C/R/U/D.
      {"letter A checks nothing", json::parse(R"([{"Activities": "A", "Resources": [".*"]}])"), 'C',
       "User::", false},
      {"notifier messages anyone", notifiers, 'C', "User::" + kCaller + "::Message", true},
      {"notifier cannot read", notifiers, 'R', "User::" + kCaller, false},
      {"notifier cannot create users", notifiers, 'C', "User::", false},
      // Anchored: a matcher must cover the whole resource.
      {"anchored at the end", notifiers, 'C', "User::" + kCaller + "::Message::x", false},
      {"anchored at the start", json::parse(R"([{"Activities": "R", "Resources": ["User::"]}])"),
       'R', "User::" + kCaller, false},
      {"read-only has no users", read_only, 'R', "User::", false},
      {"read-only reads vaults", read_only, 'R', "Vault::v1", true},
      {"self reads itself", self, 'R', "User::" + kCaller, true},
      {"self updates itself", self, 'U', "User::" + kCaller, true},
      {"self cannot delete", self, 'D', "User::" + kCaller, false},
      {"self is not others", self, 'R', "User::" + kOther, false},
      {"no policy, no grant", json::array(), 'R', "User::", false},
      // Literal dots in ids are escaped by QuoteMeta, not wildcards.
      {"specific id", json::parse(R"([{"Activities": "D", "Resources": ["Group::g1"]}])"), 'D',
       "Group::g1", true},
  };
  PolicyEngine engine;
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      REQUIRE(engine.validate(c.policy).has_value());
      CHECK(engine.allows({c.policy}, c.activity, c.resource, kCaller) == c.granted);
    }
  }
}

TEST_CASE("policies of several groups are a union", "[truevault][policy]") {
  PolicyEngine engine;
  const json a = json::parse(R"([{"Activities": "R", "Resources": ["User::"]}])");
  const json b = json::parse(R"([{"Activities": "C", "Resources": ["User::"]}])");
  CHECK(engine.allows({a, b}, 'R', "User::", kCaller));
  CHECK(engine.allows({a, b}, 'C', "User::", kCaller));
  CHECK_FALSE(engine.allows({a, b}, 'D', "User::", kCaller));
}

TEST_CASE("self token substitution quotes the caller id", "[truevault][policy]") {
  CHECK(substitute_self("User::$[id=self.id]", "a.b") == "User::a\\.b");
  CHECK(substitute_self("User::$[id=self.id]::Message", kCaller) ==
        "User::4a635639\\-fcf5\\-4cca\\-9b79\\-25376fdb460f::Message");
  CHECK(substitute_self("Group::.*", kCaller) == "Group::.*");
  PolicyEngine engine;
  const json self = json::parse(R"([{"Activities": "R", "Resources": ["User::$[id=self.id]"]}])");
  // An id with regex metacharacters cannot widen the grant.
  CHECK_FALSE(engine.allows({self}, 'R', "User::aXb", "a.b"));
  CHECK(engine.allows({self}, 'R', "User::a.b", "a.b"));
}

TEST_CASE("invalid policies are refused with GROUP.INVALID_POLICY", "[truevault][policy]") {
  struct Case {
    const char* name;
    json policy;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not an array", json::parse(R"({"Activities": "R"})"),
       "Invalid policy: must be a JSON array of statements"},
      {"statement not an object", json::parse(R"(["R"])"),
       "Invalid policy: statement 0: must be an object with Resources and Activities"},
      {"missing Activities", json::parse(R"([{"Resources": ["User::"]}])"),
       "Invalid policy: statement 0: Activities must be a string of letters such as \"CRUD\""},
      {"lower-case Activities", json::parse(R"([{"Activities": "r", "Resources": ["User::"]}])"),
       "Invalid policy: statement 0: Activities must contain only upper-case letters such as "
       "\"CRUD\""},
      {"Resources not strings", json::parse(R"([{"Activities": "R", "Resources": [1]}])"),
       "Invalid policy: statement 0: Resources must be an array of strings"},
      {"unknown key", json::parse(R"([{"Activities": "R", "Resources": [], "Effect": "Deny"}])"),
       "Invalid policy: statement 0: unknown key 'Effect' (expected Resources, Activities)"},
      // RE2 rejects back-references and look-around (no std::regex fallback).
      {"back-reference", json::parse(R"([{"Activities": "R", "Resources": ["(a)\\1"]}])"),
       "Invalid policy: statement 0: resource matcher '(a)\\1' is not a valid RE2 regular "
       "expression: invalid escape sequence: \\1"},
      {"look-ahead", json::parse(R"j([{"Activities": "R", "Resources": ["User::(?=x)"]}])j"),
       "Invalid policy: statement 0: resource matcher 'User::(?=x)' is not a valid RE2 regular "
       "expression: invalid perl operator: (?="},
      {"unbalanced", json::parse(R"([{"Activities": "R", "Resources": ["User::("]}])"),
       "Invalid policy: statement 0: resource matcher 'User::(' is not a valid RE2 regular "
       "expression: missing ): User::("},
  };
  PolicyEngine engine;
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto result = engine.validate(c.policy);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().http_status == 400);
      CHECK(result.error().code == "GROUP.INVALID_POLICY");
      CHECK(result.error().message == c.message);
    }
  }
}

TEST_CASE("compiled patterns are cached by final text", "[truevault][policy]") {
  PolicyEngine engine;
  const json policy = full_admin();
  REQUIRE(engine.validate(policy).has_value());
  const auto after_validate = engine.cached_patterns();
  CHECK(after_validate == 5);
  for (int i = 0; i < 100; ++i) CHECK(engine.allows({policy}, 'R', "User::x", kCaller));
  CHECK(engine.cached_patterns() == after_validate);
  // A malformed stored statement grants nothing and does not throw.
  CHECK_FALSE(engine.allows({json::parse(R"([{"Activities": 5}])")}, 'R', "User::", kCaller));
}

}  // namespace
}  // namespace mock::truevault
