// Groups API over HTTP (truevault-api.md §5): every endpoint with its permission checked both
// ways, policies validated with RE2 at write time, membership endpoints, isolation.

#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

const json kPolicy = json::parse(R"([{"Activities": "CRUDA", "Resources": ["User::.*"]}])");

TEST_CASE("create_group", "[truevault][groups]") {
  TrueVaultOnly env;
  auto r = call_form(*env.tv, "POST", "/v1/groups", kAdminKey,
                     {{"name", "Doctors"},
                      {"policy", b64(kPolicy)},
                      {"user_ids", std::string(kReadonlyId) + "," + kPatientId}});
  expect_success(r);
  const auto& g = r.body["group"];
  CHECK(g["id"] == g["group_id"]);
  CHECK(g["name"] == "Doctors");
  CHECK(g["policy"] == kPolicy);  // plain JSON, letters echoed as written
  CHECK(g["user_ids"] == json::array({kReadonlyId, kPatientId}));

  SECTION("empty policy= is []") {
    auto e = call(*env.tv, "POST", "/v1/groups?name=empty&policy=&user_ids=", kAdminKey);
    expect_success(e);
    CHECK(e.body["group"]["policy"] == json::array());
    CHECK(e.body["group"]["user_ids"] == json::array());
  }
  SECTION("denied, duplicate, invalid") {
    expect_error(call_form(*env.tv, "POST", "/v1/groups", kReadonlyKey, {{"name", "x"}}), 403,
                 "AUTH.FORBIDDEN", forbidden('C', "Group::"));
    expect_error(call_form(*env.tv, "POST", "/v1/groups", kAdminKey, {{"name", "Doctors"}}), 400,
                 "GROUP.NAME_IN_USE", "Group name 'Doctors' is already in use in this account");
    expect_error(call_form(*env.tv, "POST", "/v1/groups", kAdminKey, {{"policy", "W10="}}), 400,
                 "REQUEST.MISSING_PARAMETER", "Missing required parameter: name");
    // A matcher RE2 refuses is a 400 at write time, never a 500 later.
    expect_error(
        call_form(
            *env.tv, "POST", "/v1/groups", kAdminKey,
            {{"name", "bad"},
             {"policy", b64(json::parse(R"([{"Activities": "R", "Resources": ["(a)\\1"]}])"))}}),
        400, "GROUP.INVALID_POLICY",
        "Invalid policy: statement 0: resource matcher '(a)\\1' is not a valid RE2 regular "
        "expression: invalid escape sequence: \\1");
    expect_error(call_form(*env.tv, "POST", "/v1/groups", kAdminKey,
                           {{"name", "bad"}, {"user_ids", kOtherAdminId}}),
                 404, "USER.NOT_FOUND", std::string("User ") + kOtherAdminId + " does not exist");
  }
}

TEST_CASE("list_groups and read_group", "[truevault][groups]") {
  TrueVaultOnly env;
  auto r = call(*env.tv, "GET", "/v1/groups", kAdminKey);
  expect_success(r);
  std::vector<std::string> names;
  for (const auto& g : r.body["groups"]) {
    names.push_back(g["name"]);
    CHECK_FALSE(g.contains("user_ids"));
  }
  CHECK(names == std::vector<std::string>{"FULL_ADMIN", "READ_ONLY", "WRITE_ONLY", "Notifiers"});
  expect_error(call(*env.tv, "GET", "/v1/groups", kNotifierKey), 403, "AUTH.FORBIDDEN",
               forbidden('R', "Group::"));
  CHECK(call(*env.tv, "GET", "/v1/groups", kOtherAdminKey).body["groups"].size() == 1);

  const std::string notifiers = std::string("/v1/groups/") + kNotifiersGroup;
  auto plain = call(*env.tv, "GET", notifiers, kAdminKey);
  expect_success(plain);
  CHECK_FALSE(plain.body["group"].contains("user_ids"));
  CHECK(plain.body["group"]["policy"] ==
        json::parse(R"([{"Resources": ["User::.*::Message"], "Activities": "C"}])"));
  auto full = call(*env.tv, "GET", notifiers + "?full=true", kAdminKey);
  CHECK(full.body["group"]["user_ids"] == json::array({kNotifierId}));
  expect_error(call(*env.tv, "GET", notifiers, kReadonlyKey), 403, "AUTH.FORBIDDEN",
               forbidden('R', std::string("Group::") + kNotifiersGroup));
  expect_error(call(*env.tv, "GET", notifiers, kOtherAdminKey), 404, "GROUP.NOT_FOUND",
               std::string("Group ") + kNotifiersGroup + " does not exist");

  // A caller who may list groups but read only one sees only that one.
  expect_success(call_form(*env.tv, "PUT", std::string("/v1/groups/") + kReadOnlyGroup, kAdminKey,
                           {{"policy", b64(json::parse(std::string(R"([{"Activities": "R",
                              "Resources": ["Group::", "Group::)") +
                                                       kReadOnlyGroup + "\"]}]"))}}));
  auto filtered = call(*env.tv, "GET", "/v1/groups", kReadonlyKey);
  REQUIRE(filtered.body["groups"].size() == 1);
  CHECK(filtered.body["groups"][0]["id"] == kReadOnlyGroup);
}

TEST_CASE("update_group: name, policy, APPEND, REMOVE, replace", "[truevault][groups]") {
  TrueVaultOnly env;
  const std::string path = std::string("/v1/groups/") + kWriteOnlyGroup;
  auto renamed = call_form(*env.tv, "PUT", path, kAdminKey, {{"name", "Writers"}});
  expect_success(renamed);
  CHECK(renamed.body["group"]["name"] == "Writers");
  CHECK(renamed.body["group"]["user_ids"] == json::array());
  CHECK(renamed.body["group"]["policy"].size() == 1);  // untouched

  auto appended = call_form(
      *env.tv, "PUT", path, kAdminKey,
      {{"operation", "APPEND"}, {"user_ids", std::string(kPatientId) + "," + kReadonlyId}});
  CHECK(appended.body["group"]["user_ids"] == json::array({kPatientId, kReadonlyId}));
  auto removed = call_form(*env.tv, "PUT", path, kAdminKey,
                           {{"operation", "REMOVE"}, {"user_ids", kPatientId}});
  CHECK(removed.body["group"]["user_ids"] == json::array({kReadonlyId}));
  auto replaced = call_form(*env.tv, "PUT", path, kAdminKey, {{"user_ids", kNotifierId}});
  CHECK(replaced.body["group"]["user_ids"] == json::array({kNotifierId}));

  expect_error(call_form(*env.tv, "PUT", path, kAdminKey,
                         {{"operation", "MERGE"}, {"user_ids", kNotifierId}}),
               400, "GROUP.INVALID_OPERATION",
               "Invalid operation 'MERGE': expected APPEND or REMOVE");
  expect_error(call_form(*env.tv, "PUT", path, kAdminKey, {{"name", "FULL_ADMIN"}}), 400,
               "GROUP.NAME_IN_USE", "Group name 'FULL_ADMIN' is already in use in this account");
  expect_error(
      call_form(
          *env.tv, "PUT", path, kAdminKey,
          {{"policy", b64(json::parse(R"([{"Activities": "R", "Resources": ["User::("]}])"))}}),
      400, "GROUP.INVALID_POLICY",
      "Invalid policy: statement 0: resource matcher 'User::(' is not a valid RE2 "
      "regular expression: missing ): User::(");
  expect_error(call_form(*env.tv, "PUT", path, kNotifierKey, {{"name", "x"}}), 403,
               "AUTH.FORBIDDEN", forbidden('U', std::string("Group::") + kWriteOnlyGroup));

  // A policy change applies to the next request.
  expect_error(call(*env.tv, "GET", "/v1/users", kNotifierKey), 403, "AUTH.FORBIDDEN",
               forbidden('R', "User::"));
  expect_success(call_form(
      *env.tv, "PUT", std::string("/v1/groups/") + kNotifiersGroup, kAdminKey,
      {{"policy", b64(json::parse(R"([{"Activities": "R", "Resources": ["User::.*"]}])"))}}));
  expect_success(call(*env.tv, "GET", "/v1/users", kNotifierKey));
}

TEST_CASE("delete_group detaches its users", "[truevault][groups]") {
  TrueVaultOnly env;
  const std::string path = std::string("/v1/groups/") + kNotifiersGroup;
  expect_error(call(*env.tv, "DELETE", path, kReadonlyKey), 403, "AUTH.FORBIDDEN",
               forbidden('D', std::string("Group::") + kNotifiersGroup));
  auto r = call(*env.tv, "DELETE", path, kAdminKey);
  expect_success(r);
  CHECK(r.body["group"]["name"] == "Notifiers");
  CHECK_FALSE(r.body["group"].contains("user_ids"));
  expect_error(call(*env.tv, "GET", path, kAdminKey), 404, "GROUP.NOT_FOUND",
               std::string("Group ") + kNotifiersGroup + " does not exist");
  auto me = call(*env.tv, "GET", "/v1/auth/me?full=true", kNotifierKey);
  CHECK(me.body["user"]["group_ids"] == json::array());
}

TEST_CASE("membership endpoints", "[truevault][groups]") {
  TrueVaultOnly env;
  const std::string membership = std::string("/v1/groups/") + kReadOnlyGroup + "/membership";
  auto added =
      call_json(*env.tv, "POST", membership, kAdminKey, {{"user_ids", {kPatientId, kNotifierId}}});
  expect_success(added);
  CHECK(added.body["group"]["user_ids"] == json::array({kReadonlyId, kPatientId, kNotifierId}));
  expect_error(
      call_json(*env.tv, "POST", membership, kNotifierKey, {{"user_ids", {kAdminId}}}), 403,
      "AUTH.FORBIDDEN",
      forbidden('C', std::string("Group::") + kReadOnlyGroup + "::GroupMembership::" + kAdminId));
  expect_error(call_json(*env.tv, "POST", membership, kAdminKey, json::object()), 400,
               "REQUEST.MISSING_PARAMETER", "Missing required parameter: user_ids");
  expect_error(call_json(*env.tv, "POST", membership, kAdminKey, {{"user_ids", {kOtherAdminId}}}),
               404, "USER.NOT_FOUND", std::string("User ") + kOtherAdminId + " does not exist");

  // The SDK sends Content-Type: application/json with no body on the DELETE.
  auto removed = call(*env.tv, "DELETE", membership + "/" + kPatientId + "," + kNotifierId,
                      kAdminKey, "", "application/json");
  expect_success(removed);
  CHECK(removed.body["group"]["user_ids"] == json::array({kReadonlyId}));
  expect_error(call(*env.tv, "DELETE", membership + "/" + kReadonlyId, kNotifierKey), 403,
               "AUTH.FORBIDDEN",
               forbidden('D', std::string("Group::") + kReadOnlyGroup +
                                  "::GroupMembership::" + kReadonlyId));
  expect_error(call(*env.tv, "DELETE",
                    std::string("/v1/groups/") + kOtherAdminGroup + "/membership/" + kOtherAdminId,
                    kAdminKey),
               404, "GROUP.NOT_FOUND",
               std::string("Group ") + kOtherAdminGroup + " does not exist");
}

}  // namespace
}  // namespace mock::truevault::testing
