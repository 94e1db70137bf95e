// Users API over HTTP (truevault-api.md §4): every endpoint with its permission checked both
// ways, the four body encodings, cross-account isolation, and the error envelope.

#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

TEST_CASE("create_user: grant, denial, encodings, response shape", "[truevault][users]") {
  TrueVaultOnly env;
  SECTION("multipart, with groups and ?full=true") {
    httplib::MultipartFormDataItems items = {
        {"username", "new@example.com", "", ""},
        {"password", "pw", "", ""},
        {"attributes", b64({{"phone", "5551112222"}}), "", ""},
        {"group_ids", std::string(kReadOnlyGroup), "", ""},
    };
    auto client = env.tv->client();
    httplib::Headers headers = {
        {"Authorization", "Basic " + common::base64_encode(std::string(kAdminKey) + ":")}};
    auto res = client->Post("/v1/users?full=true&_tv_sdk=1.3.1", headers, items);
    REQUIRE(res);
    Reply r{res->status, json::parse(res->body)};
    expect_success(r);
    const auto& u = r.body["user"];
    CHECK(u["id"] == u["user_id"]);
    CHECK(u["username"] == "new@example.com");
    CHECK(u["status"] == "ACTIVATED");
    CHECK(u["account_id"] == kAccount);
    CHECK(u["mfa_enrolled"] == false);
    CHECK(u["access_key"].is_null());
    CHECK(u["api_key"].get<std::string>().size() == 36);
    CHECK(u["access_token"].get<std::string>().rfind(".eJ", 0) == 0);
    CHECK(u["attributes"] == b64({{"phone", "5551112222"}}));
    CHECK(u["group_ids"] == json::array({kReadOnlyGroup}));
    // The new key works at once.
    auto me = call(*env.tv, "GET", "/v1/auth/me", u["api_key"]);
    expect_success(me);
    CHECK(me.body["user"]["id"] == u["id"]);
  }
  SECTION("urlencoded without full: no attributes") {
    auto r = call_form(*env.tv, "POST", "/v1/users", kAdminKey,
                       {{"username", "u2"}, {"attributes", "e30=\n"}});
    expect_success(r);
    CHECK_FALSE(r.body["user"].contains("attributes"));
    CHECK_FALSE(r.body["user"].contains("group_ids"));
  }
  SECTION("query string on an empty body (the Ruby client)") {
    auto r = call(*env.tv, "POST",
                  "/v1/users?username=ruby&password=pw&attributes=" +
                      common::url_encode(b64({{"a", 1}}) + "\n"),
                  kAdminKey);
    expect_success(r);
    CHECK(r.body["user"]["username"] == "ruby");
  }
  SECTION("JSON with plain attributes") {
    auto r = call_json(*env.tv, "POST", "/v1/users?full=1", kAdminKey,
                       {{"username", "json"}, {"attributes", {{"a", 1}}}, {"status", "PENDING"}});
    expect_success(r);
    CHECK(r.body["user"]["status"] == "PENDING");
    CHECK(r.body["user"]["attributes"] == b64({{"a", 1}}));
    // Only ACTIVATED users authenticate: the PENDING user's own key is refused.
    expect_error(call(*env.tv, "GET", "/v1/auth/me", r.body["user"]["api_key"]), 401,
                 "AUTH.INVALID_CREDENTIALS", "Invalid API key or access token");
  }
  SECTION("denied without C User::") {
    expect_error(call_form(*env.tv, "POST", "/v1/users", kReadonlyKey, {{"username", "x"}}), 403,
                 "AUTH.FORBIDDEN", forbidden('C', "User::"));
  }
  SECTION("bad input") {
    expect_error(call_form(*env.tv, "POST", "/v1/users", kAdminKey, {{"password", "x"}}), 400,
                 "REQUEST.MISSING_PARAMETER", "Missing required parameter: username");
    expect_error(call_form(*env.tv, "POST", "/v1/users", kAdminKey, {{"username", "admin"}}), 400,
                 "USER.USERNAME_IN_USE", "Username 'admin' is already in use in this account");
    expect_error(call_form(*env.tv, "POST", "/v1/users", kAdminKey,
                           {{"username", "x"}, {"attributes", "%%%"}}),
                 400, "REQUEST.INVALID_BASE64", "attributes must be base64-encoded JSON");
    expect_error(call_form(*env.tv, "POST", "/v1/users", kAdminKey,
                           {{"username", "x"}, {"status", "DEACTIVATED"}}),
                 400, "USER.INVALID_STATUS",
                 "Invalid status 'DEACTIVATED': expected ACTIVATED, PENDING or LOCKED");
    expect_error(call_form(*env.tv, "POST", "/v1/users", kAdminKey,
                           {{"username", "x"}, {"group_ids", kOtherAdminGroup}}),
                 404, "GROUP.NOT_FOUND",
                 std::string("Group ") + kOtherAdminGroup + " does not exist");
    expect_error(call(*env.tv, "POST", "/v1/users", kAdminKey, "{", "application/json"), 400,
                 "REQUEST.INVALID_JSON", "Request body must be a JSON object");
  }
  SECTION("group_ids need C Group::G::GroupMembership::.* or U Group::G per group") {
    expect_success(call_form(
        *env.tv, "POST", "/v1/groups", kAdminKey,
        {{"name", "user-creators"},
         {"policy", b64(json::parse(R"([{"Activities": "C", "Resources": ["User::"]}])"))},
         {"user_ids", kReadonlyId}}));
    expect_success(call_form(*env.tv, "POST", "/v1/users", kReadonlyKey, {{"username", "plain"}}));
    expect_error(call_form(*env.tv, "POST", "/v1/users", kReadonlyKey,
                           {{"username", "grouped"}, {"group_ids", kReadOnlyGroup}}),
                 403, "AUTH.FORBIDDEN",
                 forbidden('C', std::string("Group::") + kReadOnlyGroup + "::GroupMembership::.*"));
    expect_success(call_form(
        *env.tv, "PUT", std::string("/v1/groups/") + kReadOnlyGroup, kAdminKey,
        {{"policy", b64(json::parse(std::string(R"([{"Activities": "U", "Resources": ["Group::)") +
                                    kReadOnlyGroup + "\"]}]"))}}));
    expect_success(call_form(*env.tv, "POST", "/v1/users", kReadonlyKey,
                             {{"username", "grouped"}, {"group_ids", kReadOnlyGroup}}));
  }
  SECTION("the same username is free in another account") {
    expect_success(
        call_form(*env.tv, "POST", "/v1/users", kOtherAdminKey, {{"username", "readonly"}}));
  }
}

TEST_CASE("list_users: filtered to readable users of the caller's account", "[truevault][users]") {
  TrueVaultOnly env;
  auto r = call(*env.tv, "GET", "/v1/users?full=false", kAdminKey);
  expect_success(r);
  std::vector<std::string> ids;
  for (const auto& u : r.body["users"]) {
    ids.push_back(u["id"]);
    CHECK_FALSE(u.contains("attributes"));
  }
  CHECK(ids == std::vector<std::string>{kAdminId, kNotifierId, kReadonlyId, kPatientId});

  auto full = call(*env.tv, "GET", "/v1/users?full=true", kAdminKey);
  CHECK(full.body["users"][3]["attributes"] == b64({{"phone", "5550001111"}}));

  auto other = call(*env.tv, "GET", "/v1/users", kOtherAdminKey);
  REQUIRE(other.body["users"].size() == 1);
  CHECK(other.body["users"][0]["id"] == kOtherAdminId);

  expect_error(call(*env.tv, "GET", "/v1/users", kReadonlyKey), 403, "AUTH.FORBIDDEN",
               forbidden('R', "User::"));

  // A group that may list users but read only itself sees only itself.
  auto g = call_form(*env.tv, "POST", "/v1/groups", kAdminKey,
                     {{"name", "self-readers"},
                      {"policy", b64(json::parse(R"([{"Activities": "R", "Resources":
                                         ["User::", "User::$[id=self.id]"]}])"))},
                      {"user_ids", kReadonlyId}});
  expect_success(g);
  auto self = call(*env.tv, "GET", "/v1/users", kReadonlyKey);
  expect_success(self);
  REQUIRE(self.body["users"].size() == 1);
  CHECK(self.body["users"][0]["id"] == kReadonlyId);

  // status filter; DELETE deactivates and hides from the default list.
  expect_success(call(*env.tv, "DELETE", std::string("/v1/users/") + kPatientId, kAdminKey));
  auto active = call(*env.tv, "GET", "/v1/users", kAdminKey);
  CHECK(active.body["users"].size() == 3);
  auto deactivated = call(*env.tv, "GET", "/v1/users?status=DEACTIVATED", kAdminKey);
  REQUIRE(deactivated.body["users"].size() == 1);
  CHECK(deactivated.body["users"][0]["status"] == "DEACTIVATED");
  expect_error(call(*env.tv, "GET", "/v1/users?status=GONE", kAdminKey), 400,
               "REQUEST.INVALID_PARAMETER",
               "Invalid status: expected ACTIVATED, DEACTIVATED, PENDING or LOCKED");
}

TEST_CASE("read_user (v1) and read_users (v2)", "[truevault][users]") {
  TrueVaultOnly env;
  const std::string patient = std::string("/v1/users/") + kPatientId;
  auto r = call(*env.tv, "GET", patient + "?full=true", kAdminKey);
  expect_success(r);
  CHECK(r.body["user"]["attributes"] == b64({{"phone", "5550001111"}}));
  CHECK(r.body["user"]["group_ids"] == json::array());
  CHECK_FALSE(call(*env.tv, "GET", patient, kAdminKey).body["user"].contains("attributes"));
  expect_error(call(*env.tv, "GET", patient, kNotifierKey), 403, "AUTH.FORBIDDEN",
               forbidden('R', std::string("User::") + kPatientId));
  expect_error(call(*env.tv, "GET", "/v1/users/00000000-0000-4000-a000-000000000999", kAdminKey),
               404, "USER.NOT_FOUND", "User 00000000-0000-4000-a000-000000000999 does not exist");
  // Policy before existence: a caller without the grant learns nothing about which ids exist.
  expect_error(call(*env.tv, "GET", "/v1/users/00000000-0000-4000-a000-000000000999", kNotifierKey),
               403, "AUTH.FORBIDDEN", forbidden('R', "User::00000000-0000-4000-a000-000000000999"));
  // Another account's user is not found, even for its own account's admin.
  expect_error(call(*env.tv, "GET", patient, kOtherAdminKey), 404, "USER.NOT_FOUND",
               std::string("User ") + kPatientId + " does not exist");

  auto v2 = call(*env.tv, "GET",
                 std::string("/v2/users/") + kPatientId + "," + kAdminId + "?full=true", kAdminKey);
  expect_success(v2);
  REQUIRE(v2.body["users"].size() == 2);
  CHECK(v2.body["users"][0]["attributes"] == json{{"phone", "5550001111"}});  // plain JSON
  CHECK(v2.body["users"][1]["id"] == kAdminId);
  expect_error(call(*env.tv, "GET", std::string("/v2/users/") + kPatientId, kNotifierKey), 403,
               "AUTH.FORBIDDEN", forbidden('R', std::string("User::") + kPatientId));
}

TEST_CASE("update_user", "[truevault][users]") {
  TrueVaultOnly env;
  const std::string patient = std::string("/v1/users/") + kPatientId;
  auto r = call_form(*env.tv, "PUT", patient + "?full=true", kAdminKey,
                     {{"attributes", b64({{"phone", "5559990000"}})}, {"status", "LOCKED"}});
  expect_success(r);
  CHECK(r.body["user"]["status"] == "LOCKED");
  CHECK(r.body["user"]["attributes"] == b64({{"phone", "5559990000"}}));
  expect_success(call_form(*env.tv, "PUT", patient, kAdminKey, {{"username", "renamed"}}));
  CHECK(call(*env.tv, "GET", patient, kAdminKey).body["user"]["username"] == "renamed");
  expect_error(call_form(*env.tv, "PUT", patient, kAdminKey, {{"username", "admin"}}), 400,
               "USER.USERNAME_IN_USE", "Username 'admin' is already in use in this account");
  expect_error(call_form(*env.tv, "PUT", patient, kNotifierKey, {{"username", "x"}}), 403,
               "AUTH.FORBIDDEN", forbidden('U', std::string("User::") + kPatientId));

  // A password-only change passes with U User::X::Password alone (4.6).
  expect_success(call_form(*env.tv, "POST", "/v1/groups", kAdminKey,
                           {{"name", "pw-resetters"},
                            {"policy", b64(json::parse(R"([{"Activities": "U", "Resources":
                                               ["User::.*::Password"]}])"))},
                            {"user_ids", kReadonlyId}}));
  expect_success(call_form(*env.tv, "PUT", patient, kReadonlyKey, {{"password", "new-pw"}}));
  expect_error(
      call_form(*env.tv, "PUT", patient, kReadonlyKey, {{"password", "x"}, {"username", "y"}}), 403,
      "AUTH.FORBIDDEN", forbidden('U', std::string("User::") + kPatientId));
  expect_error(call_form(*env.tv, "PUT", "/v1/users/00000000-0000-4000-a000-000000000999",
                         kAdminKey, {{"username", "x"}}),
               404, "USER.NOT_FOUND", "User 00000000-0000-4000-a000-000000000999 does not exist");
}

TEST_CASE("delete_user deactivates, frees the username, leaves groups", "[truevault][users]") {
  TrueVaultOnly env;
  const std::string notifier = std::string("/v1/users/") + kNotifierId;
  expect_error(call(*env.tv, "DELETE", notifier, kReadonlyKey), 403, "AUTH.FORBIDDEN",
               forbidden('D', std::string("User::") + kNotifierId));
  auto r = call(*env.tv, "DELETE", notifier, kAdminKey);
  expect_success(r);
  CHECK(r.body["user"]["status"] == "DEACTIVATED");
  expect_error(call(*env.tv, "GET", "/v1/auth/me", kNotifierKey), 401, "AUTH.INVALID_CREDENTIALS",
               "Invalid API key or access token");
  auto group =
      call(*env.tv, "GET", std::string("/v1/groups/") + kNotifiersGroup + "?full=true", kAdminKey);
  CHECK(group.body["group"]["user_ids"] == json::array());
  expect_success(
      call_form(*env.tv, "POST", "/v1/users", kAdminKey, {{"username", "healthco-notifier"}}));
  expect_error(call(*env.tv, "DELETE", std::string("/v1/users/") + kOtherAdminId, kAdminKey), 404,
               "USER.NOT_FOUND", std::string("User ") + kOtherAdminId + " does not exist");
}

TEST_CASE("api_key rotation and access_token", "[truevault][users][auth]") {
  TrueVaultOnly env;
  const std::string readonly = std::string("/v1/users/") + kReadonlyId;
  expect_error(call(*env.tv, "POST", readonly + "/api_key", kNotifierKey), 403, "AUTH.FORBIDDEN",
               forbidden('U', std::string("User::") + kReadonlyId));
  auto r = call(*env.tv, "POST", readonly + "/api_key", kAdminKey);
  expect_success(r);
  const std::string key = r.body["api_key"];
  CHECK(key != kReadonlyKey);
  expect_error(call(*env.tv, "GET", "/v1/auth/me", kReadonlyKey), 401, "AUTH.INVALID_CREDENTIALS",
               "Invalid API key or access token");
  CHECK(call(*env.tv, "GET", "/v1/auth/me", key).body["user"]["id"] == kReadonlyId);

  expect_error(call(*env.tv, "POST", readonly + "/access_token", kNotifierKey), 403,
               "AUTH.FORBIDDEN", forbidden('U', std::string("User::") + kReadonlyId));
  // The SDK's field name has a trailing space ("not_valid_after ").
  httplib::MultipartFormDataItems items = {
      {"not_valid_after ", "2026-01-01T01:00:00.000Z", "", ""}};
  auto client = env.tv->client();
  auto res = client->Post(
      readonly + "/access_token",
      {{"Authorization", "Basic " + common::base64_encode(std::string(kAdminKey) + ":")}}, items);
  REQUIRE(res);
  Reply t{res->status, json::parse(res->body)};
  expect_success(t);
  const std::string token = t.body["user"]["access_token"];
  CHECK(t.body["user"]["id"] == kReadonlyId);
  CHECK(call(*env.tv, "GET", "/v1/auth/me", token).status == 200);
  env.tv->service().manual_clock()->advance(std::chrono::hours(1));
  expect_error(call(*env.tv, "GET", "/v1/auth/me", token), 401, "AUTH.TOKEN_EXPIRED",
               "Access token has expired");
  expect_error(call_form(*env.tv, "POST", readonly + "/access_token", kAdminKey,
                         {{"not_valid_after", "yesterday"}}),
               400, "REQUEST.INVALID_PARAMETER",
               "Invalid not_valid_after: must be an ISO-8601 time such as "
               "2026-01-01T12:00:00.000Z");
}

TEST_CASE("errors are always TrueVault's JSON envelope", "[truevault][errors]") {
  TrueVaultOnly env;
  expect_error(call(*env.tv, "GET", "/v1/nothing"), 404, "REQUEST.NOT_FOUND",
               "No such endpoint: GET /v1/nothing");
  expect_error(call(*env.tv, "GET", "/v1/users"), 401, "AUTH.UNAUTHORIZED",
               "Authentication required: send an API key or access token as the HTTP Basic "
               "username with an empty password");
  // Fresh transaction ids on every response.
  auto a = call(*env.tv, "GET", "/v1/auth/me", kAdminKey);
  auto b = call(*env.tv, "GET", "/v1/auth/me", kAdminKey);
  CHECK(a.body["transaction_id"] != b.body["transaction_id"]);
}

}  // namespace
}  // namespace mock::truevault::testing
