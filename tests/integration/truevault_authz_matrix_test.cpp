// The authorization matrix of mock_truevault (issue 7), generated from endpoint_rules(): for
// every rule, a caller holding exactly the needed grant (a fresh user in a fresh group whose
// policy grants only that activity letter on that resource) succeeds, and callers missing it
// are refused with 403 AUTH.FORBIDDEN naming the activity and resource: the other activity
// letters on the same resource, the right letter on another id, a self-scoped grant
// (User::$[id=self.id]) used on another id, and no groups at all. A rule this file does not
// know how to call fails the test, so a new endpoint cannot skip the matrix.
//
// Cross-tenant: the second fixture account's ids are 404 for the first account's admin and the
// other way round, on every route that takes an id; lists and logins never cross accounts.

#include <atomic>
#include <optional>

#include "common/route_info.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/permissions.hpp"
#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

// RE2 literal of `text` (a grant on exactly that resource).
std::string literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(R"(\.*+?()[]{}|^$)").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

struct Account {
  std::string id;
  std::string api_key;
  std::string access_token;
};

struct Grant {
  char activity;
  std::string resource;  // an RE2 matcher
};

class World {
 public:
  explicit World(const mock::testing::RunningService& s) : s_(s) {}

  std::string fresh(const std::string& prefix) { return prefix + "-" + std::to_string(++counter_); }

  // A fresh ACTIVATED user with a phone attribute, in no group.
  Account user() {
    auto r = call_form(s_, "POST", "/v1/users", kAdminKey,
                       {{"username", fresh("user") + "@example.com"},
                        {"password", "pw"},
                        {"attributes", b64(json{{"phone", "5550001111"}})}});
    REQUIRE(r.status == 200);
    return {r.body["user"]["id"], r.body["user"]["api_key"], r.body["user"]["access_token"]};
  }

  // A fresh group with `policy` and `members`.
  std::string group(const json& policy, const std::vector<std::string>& members = {}) {
    std::string ids;
    for (const auto& m : members) ids += (ids.empty() ? "" : ",") + m;
    auto r = call_form(s_, "POST", "/v1/groups", kAdminKey,
                       {{"name", fresh("group")}, {"policy", b64(policy)}, {"user_ids", ids}});
    REQUIRE(r.status == 200);
    return r.body["group"]["id"];
  }

  // A fresh user in a fresh group whose policy holds exactly `grants` (none: no group).
  Account caller(const std::vector<Grant>& grants) {
    Account a = user();
    if (grants.empty()) return a;
    json policy = json::array();
    for (const auto& g : grants) {
      policy.push_back({{"Resources", {g.resource}}, {"Activities", std::string(1, g.activity)}});
    }
    group(policy, {a.id});
    return a;
  }

 private:
  const mock::testing::RunningService& s_;
  int counter_ = 0;
};

// How to call the endpoint of a rule on given ids.
struct Call {
  std::string method;
  std::string path;
  std::string body;
  std::string type;
};

// The invocation of `rule` on target user `user` and group `group`. nullopt: unknown rule.
std::optional<Call> invocation(Rule rule, World& w, const std::string& user,
                               const std::string& group) {
  const std::string form = "application/x-www-form-urlencoded";
  const std::string u = "/v1/users/" + user;
  const std::string g = "/v1/groups/" + group;
  switch (rule) {
    case Rule::kCreateUser:
      return Call{"POST", "/v1/users", "username=" + w.fresh("new") + "%40x", form};
    case Rule::kCreateUserInGroup:
      return Call{"POST", "/v1/users", "username=" + w.fresh("new") + "%40x&group_ids=" + group,
                  form};
    case Rule::kListUsers:
    case Rule::kListUsersItem:
      return Call{"GET", "/v1/users", "", ""};
    case Rule::kReadUser:
      return Call{"GET", u, "", ""};
    case Rule::kReadUsers:
      return Call{"GET", "/v2/users/" + user, "", ""};
    case Rule::kSearchUsers:  // every user of the account, the target among them
      return Call{"POST", "/v1/users/search",
                  "search_option=" + common::form_encode_component(b64(json::object())), form};
    case Rule::kUpdateUser:
      return Call{"PUT", u, "username=" + w.fresh("renamed") + "%40x", form};
    case Rule::kUpdateUserPassword:
      return Call{"PUT", u, "password=changed", form};
    case Rule::kDeleteUser:
      return Call{"DELETE", u, "", ""};
    case Rule::kCreateUserApiKey:
      return Call{"POST", u + "/api_key", "", ""};
    case Rule::kCreateUserAccessToken:
      return Call{"POST", u + "/access_token", "", ""};
    case Rule::kSendSms:
      return Call{"POST", u + "/message/sms",
                  json{{"provider", "TWILIO"},
                       {"auth",
                        {{"account_sid", kTwilioAccount},
                         {"username", kTwilioKey},
                         {"password", kTwilioSecret}}},
                       {"from_number", {{"literal_value", "+15557778888"}}},
                       {"to_number", {{"user_attribute", "phone"}}},
                       {"message_body", "matrix"}}
                      .dump(),
                  "application/json"};
    case Rule::kCreateGroup:
      return Call{"POST", "/v1/groups", "name=" + w.fresh("new-group"), form};
    case Rule::kListGroups:
    case Rule::kListGroupsItem:
      return Call{"GET", "/v1/groups", "", ""};
    case Rule::kReadGroup:
      return Call{"GET", g, "", ""};
    case Rule::kUpdateGroup:
      return Call{"PUT", g, "name=" + w.fresh("renamed-group"), form};
    case Rule::kDeleteGroup:
      return Call{"DELETE", g, "", ""};
    case Rule::kAddUserToGroup:
      return Call{"POST", g + "/membership", json{{"user_ids", {user}}}.dump(), "application/json"};
    case Rule::kRemoveUserFromGroup:
      return Call{"DELETE", g + "/membership/" + user, "", ""};
    default:
      return std::nullopt;
  }
}

// Rules the caller must also hold for `rule` to be reached (checked first, in this order).
std::vector<Rule> prerequisites(Rule rule) {
  switch (rule) {
    case Rule::kCreateUserInGroup:
      return {Rule::kCreateUser};
    case Rule::kListUsersItem:
      return {Rule::kListUsers};
    case Rule::kListGroupsItem:
      return {Rule::kListGroups};
    default:
      return {};
  }
}

// The rule a denial names: the alternative's main rule when the rule is an alternative.
Rule denial_rule(Rule rule) { return rule == Rule::kUpdateUserPassword ? Rule::kUpdateUser : rule; }

// List filters are not refusals: the item is simply absent from a 200.
bool is_filter(Rule rule) { return rule == Rule::kListUsersItem || rule == Rule::kListGroupsItem; }

struct Target {
  std::string user;
  std::string group;
};

// A fresh target user and group; for a membership removal the user is a member.
Target target(World& w, Rule rule) {
  Target t{w.user().id, ""};
  t.group =
      w.group(json::array(), rule == Rule::kRemoveUserFromGroup ? std::vector<std::string>{t.user}
                                                                : std::vector<std::string>{});
  return t;
}

ResourceIds ids_of(const Target& t) {
  return {.user_id = t.user, .group_id = t.group, .member_id = t.user};
}

Reply invoke(const mock::testing::RunningService& s, const Call& c, const std::string& credential) {
  return call(s, c.method, c.path, credential, c.body, c.type);
}

bool lists(const Reply& r, Rule rule, const Target& t) {
  const auto& items = r.body[rule == Rule::kListUsersItem ? "users" : "groups"];
  const std::string& id = rule == Rule::kListUsersItem ? t.user : t.group;
  return std::any_of(items.begin(), items.end(), [&](const json& i) { return i["id"] == id; });
}

void expect_granted(const Reply& r, Rule rule, const Target& t) {
  expect_success(r);
  if (is_filter(rule)) CHECK(lists(r, rule, t));
}

void expect_denied(const Reply& r, Rule rule, const Target& t, const Permission& denied) {
  if (is_filter(rule)) {
    expect_success(r);
    CHECK_FALSE(lists(r, rule, t));
    return;
  }
  expect_error(r, 403, "AUTH.FORBIDDEN", forbidden(denied.activity, denied.resource));
}

std::vector<Grant> exact_grants(const std::vector<Rule>& rules, const ResourceIds& ids) {
  std::vector<Grant> out;
  for (Rule r : rules) {
    const Permission p = permission(r, ids);
    out.push_back({p.activity, literal(p.resource)});
  }
  return out;
}

struct Env {
  Env()
      : twilio(start_twilio()),
        tv(start_truevault(truevault_config(twilio->base_url()))),
        world(*tv) {}
  std::unique_ptr<mock::testing::RunningService> twilio;
  std::unique_ptr<mock::testing::RunningService> tv;
  World world;
};

TEST_CASE("authorization matrix: every policy rule: exact grant vs. every near miss",
          "[truevault][authz]") {
  Env env;
  auto& s = *env.tv;
  auto& w = env.world;
  std::size_t cases = 0;
  std::size_t rules = 0;
  for (const EndpointRule& e : endpoint_rules()) {
    if (e.check != Check::kPolicy) continue;
    ++rules;
    const Rule rule = e.rule;
    INFO("rule " << e.operation << " " << e.method << " " << e.path << " " << e.activity << " "
                 << e.resource);
    const auto pre = prerequisites(rule);

    // 1. Exactly the needed grant (and the prerequisites' exact grants).
    {
      Target t = target(w, rule);
      auto c = invocation(rule, w, t.user, t.group);
      REQUIRE(c.has_value());  // a rule without an invocation here fails the matrix
      auto rules_needed = pre;
      rules_needed.push_back(rule);
      Account a = w.caller(exact_grants(rules_needed, ids_of(t)));
      INFO("exact grant");
      expect_granted(invoke(s, *c, a.api_key), rule, t);
      ++cases;
    }
    // 2. Every other activity letter on the same resource.
    for (char letter : std::string("CRUD")) {
      if (letter == e.activity) continue;
      Target t = target(w, rule);
      auto grants = exact_grants(pre, ids_of(t));
      grants.push_back({letter, literal(permission(rule, ids_of(t)).resource)});
      Account a = w.caller(grants);
      INFO("letter " << letter << " instead of " << e.activity);
      expect_denied(invoke(s, *invocation(rule, w, t.user, t.group), a.api_key), rule, t,
                    permission(denial_rule(rule), ids_of(t)));
      ++cases;
    }
    // 3. The right letter on another id.
    const std::string_view resource = e.resource;
    if (resource.find('{') != std::string_view::npos) {
      Target t = target(w, rule);
      Target other = target(w, rule);
      auto grants = exact_grants(pre, ids_of(t));
      grants.push_back({e.activity, literal(permission(rule, ids_of(other)).resource)});
      Account a = w.caller(grants);
      INFO("grant on another id");
      expect_denied(invoke(s, *invocation(rule, w, t.user, t.group), a.api_key), rule, t,
                    permission(denial_rule(rule), ids_of(t)));
      ++cases;
    }
    // 4. A self-scoped grant: works on the caller's own id, refused on another's.
    if (resource.find("{user_id}") != std::string_view::npos) {
      std::string self(resource);
      self.replace(self.find("{user_id}"), 9, "$[id=self.id]");
      Target t = target(w, rule);
      auto grants = exact_grants(pre, ids_of(t));
      grants.push_back({e.activity, self});
      Account a = w.caller(grants);
      INFO("self-scoped grant, another id");
      expect_denied(invoke(s, *invocation(rule, w, t.user, t.group), a.access_token), rule, t,
                    permission(denial_rule(rule), ids_of(t)));
      ++cases;
      if (rule != Rule::kDeleteUser) {  // (deleting oneself works too, but ends the caller)
        Target own{a.id, t.group};
        INFO("self-scoped grant, own id");
        expect_granted(invoke(s, *invocation(rule, w, a.id, t.group), a.access_token), rule, own);
        ++cases;
      }
    }
    // 5. No groups at all: the first rule checked names the refusal.
    {
      Target t = target(w, rule);
      Account a = w.caller({});
      INFO("no groups");
      const Rule first = pre.empty() ? denial_rule(rule) : pre.front();
      const Reply r = invoke(s, *invocation(rule, w, t.user, t.group), a.api_key);
      if (is_filter(first)) {
        expect_denied(r, first, t, permission(first, ids_of(t)));
      } else {
        expect_error(r, 403, "AUTH.FORBIDDEN",
                     forbidden(permission(first, ids_of(t)).activity,
                               permission(first, ids_of(t)).resource));
      }
      ++cases;
    }
  }
  CHECK(rules == 21);
  CHECK(cases > 100);
  // Every other rule is login (no credential) or any-credential; see the next test.
  CHECK(rules + 4 == endpoint_rules().size());
}

TEST_CASE("authorization matrix: no-policy rules need a credential and nothing else",
          "[truevault][authz]") {
  Env env;
  auto& s = *env.tv;
  for (const EndpointRule& e : endpoint_rules()) {
    if (e.check == Check::kPolicy) continue;
    INFO(e.operation);
    Account a = env.world.caller({});  // in no group
    const std::string method(e.method);
    const std::string path(e.path);
    if (e.check == Check::kNone) {
      CHECK(e.rule == Rule::kLogin);
      // Only the three login fields; no credential needed.
      expect_success(call_form(
          s, method, path, "",
          {{"account_id", kAccount}, {"username", "readonly"}, {"password", "readonly-password"}}));
      continue;
    }
    const std::string body = method == "PUT" ? "attributes=e30%3D" : "";
    const std::string type = method == "PUT" ? "application/x-www-form-urlencoded" : "";
    expect_success(call(s, method, path, a.access_token, body, type));
    expect_error(call(s, method, path, "", body, type), 401, "AUTH.UNAUTHORIZED",
                 errors::missing_credentials().message);
  }
}

// Every vendor route with an id, filled with the ids of `account`'s tenant.
struct Tenant {
  std::string key;
  std::string user;
  std::string group;
};

TEST_CASE("cross-tenant: another account's ids are 404 on every route in both directions",
          "[truevault][authz][tenant]") {
  Env env;
  auto& s = *env.tv;
  const Tenant healthco{kAdminKey, kPatientId, kWriteOnlyGroup};
  const Tenant otherco{kOtherAdminKey, kOtherAdminId, kOtherAdminGroup};
  std::size_t n = 0;
  for (const auto& [caller, foreign] :
       {std::pair{healthco, otherco}, std::pair{otherco, healthco}}) {
    for (const auto& route : routes()) {
      if (route.kind != common::RouteKind::kVendor) continue;
      const std::string pattern(route.path);
      if (pattern.find("([^/]+)") == std::string::npos) continue;
      const bool group_route = pattern.starts_with("/v1/groups");
      const std::string handler(route.handler);
      INFO(caller.key << " " << route.method << " " << pattern);
      // The foreign id in each capture: the group (or user), then the member.
      struct Variant {
        std::string path;
        int status;
        std::string code;
        std::string message;
      };
      std::vector<Variant> variants;
      auto fill = [&](const std::string& first, const std::string& second) {
        std::string out = pattern;
        out.replace(out.find("([^/]+)"), 7, first);
        if (auto at = out.find("([^/]+)"); at != std::string::npos) out.replace(at, 7, second);
        return out;
      };
      if (group_route) {
        variants.push_back({fill(foreign.group, caller.user), 404, "GROUP.NOT_FOUND",
                            "Group " + foreign.group + " does not exist"});
        if (handler == "remove_users_from_group" || handler == "add_users_to_group") {
          variants.push_back({fill(caller.group, foreign.user), 404, "USER.NOT_FOUND",
                              "User " + foreign.user + " does not exist"});
        }
      } else {
        variants.push_back({fill(foreign.user, ""), 404, "USER.NOT_FOUND",
                            "User " + foreign.user + " does not exist"});
      }
      for (const auto& v : variants) {
        std::string body;
        std::string type;
        if (handler == "send_sms") {
          body = R"({"provider": "TWILIO"})";
          type = "application/json";
        } else if (handler == "add_users_to_group") {
          const bool foreign_group = v.code == "GROUP.NOT_FOUND";
          body = json{{"user_ids", {foreign_group ? caller.user : foreign.user}}}.dump();
          type = "application/json";
        } else if (handler == "update_user" || handler == "update_group") {
          body = "status=LOCKED&name=taken-over";
          type = "application/x-www-form-urlencoded";
          if (handler == "update_user") body = "status=LOCKED";
        }
        INFO(v.path);
        auto before = call(s, "GET", "/_mock/state", "");
        expect_error(call(s, std::string(route.method), v.path, caller.key, body, type), v.status,
                     v.code, v.message);
        CHECK(call(s, "GET", "/_mock/state", "").body == before.body);
        ++n;
      }
    }
  }
  CHECK(n == 2 * 14);  // 12 routes with ids, 2 of them also with a member id

  // Lists stay inside the caller's account.
  auto users = call(s, "GET", "/v1/users", kOtherAdminKey);
  expect_success(users);
  REQUIRE(users.body["users"].size() == 1);
  CHECK(users.body["users"][0]["id"] == kOtherAdminId);
  auto groups = call(s, "GET", "/v1/groups", kOtherAdminKey);
  expect_success(groups);
  REQUIRE(groups.body["groups"].size() == 1);
  CHECK(groups.body["groups"][0]["id"] == kOtherAdminGroup);
  // Ids of the other account in a create are unknown ids.
  expect_error(call_form(s, "POST", "/v1/users", kOtherAdminKey,
                         {{"username", "intruder@x"}, {"group_ids", kFullAdminGroup}}),
               404, "GROUP.NOT_FOUND", std::string("Group ") + kFullAdminGroup + " does not exist");
  expect_error(call_form(s, "POST", "/v1/groups", kOtherAdminKey,
                         {{"name", "grab"}, {"user_ids", kAdminId}}),
               404, "USER.NOT_FOUND", std::string("User ") + kAdminId + " does not exist");
  // A login never crosses accounts: each admin's password in the other account fails.
  const std::string login_failed = "Invalid account_id, username or password";
  expect_error(call_form(s, "POST", "/v1/auth/login", "",
                         {{"account_id", kAccount},
                          {"username", "admin"},
                          {"password", "otherco-admin-password"}}),
               401, "AUTH.INVALID_CREDENTIALS", login_failed);
  expect_error(
      call_form(
          s, "POST", "/v1/auth/login", "",
          {{"account_id", kOtherAccount}, {"username", "admin"}, {"password", "admin-password"}}),
      401, "AUTH.INVALID_CREDENTIALS", login_failed);
}

}  // namespace
}  // namespace mock::truevault::testing
