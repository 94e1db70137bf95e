// Auth endpoints over HTTP (truevault-api.md §3): login in every encoding, logout, auth/me,
// token expiry on the service clock, reset.

#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

const std::vector<common::Form::Field> kAdminLogin = {
    {"account_id", kAccount}, {"username", "admin"}, {"password", "admin-password"}};

TEST_CASE("login in all four encodings", "[truevault][auth]") {
  TrueVaultOnly env;
  std::vector<Reply> replies;
  replies.push_back(call_form(*env.tv, "POST", "/v1/auth/login", "", kAdminLogin));
  replies.push_back(call(*env.tv, "POST", "/v1/auth/login?" + common::encode_form(kAdminLogin)));
  replies.push_back(
      call_json(*env.tv, "POST", "/v1/auth/login", "",
                {{"account_id", kAccount}, {"username", "admin"}, {"password", "admin-password"}}));
  httplib::MultipartFormDataItems items;
  for (const auto& [k, v] : kAdminLogin) items.push_back({k, v, "", ""});
  auto res = env.tv->client()->Post("/v1/auth/login?_tv_sdk=1.3.1", items);
  REQUIRE(res);
  replies.push_back({res->status, json::parse(res->body)});
  for (const auto& r : replies) {
    expect_success(r);
    const auto& u = r.body["user"];
    CHECK(u["id"] == kAdminId);
    CHECK(u["user_id"] == kAdminId);
    CHECK(u["account_id"] == kAccount);
    CHECK(u["status"] == "ACTIVATED");
    CHECK_FALSE(u.contains("attributes"));  // login never returns attributes
    const std::string token = u["access_token"];
    CHECK(call(*env.tv, "GET", "/v1/auth/me", token).body["user"]["id"] == kAdminId);
  }
}

TEST_CASE("login failures", "[truevault][auth]") {
  TrueVaultOnly env;
  const std::string message = "Invalid account_id, username or password";
  expect_error(call_form(*env.tv, "POST", "/v1/auth/login", "",
                         {{"account_id", kAccount}, {"username", "admin"}, {"password", "x"}}),
               401, "AUTH.INVALID_CREDENTIALS", message);
  expect_error(call_form(*env.tv, "POST", "/v1/auth/login", "",
                         {{"account_id", kOtherAccount},
                          {"username", "readonly"},
                          {"password", "readonly-password"}}),
               401, "AUTH.INVALID_CREDENTIALS", message);
  // healthco-notifier has no password: API key only.
  expect_error(
      call_form(
          *env.tv, "POST", "/v1/auth/login", "",
          {{"account_id", kAccount}, {"username", "healthco-notifier"}, {"password", "anything"}}),
      401, "AUTH.INVALID_CREDENTIALS", message);
  expect_error(call_form(*env.tv, "POST", "/v1/auth/login", "",
                         {{"account_id", kAccount}, {"username", "admin"}}),
               400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: password");
}

TEST_CASE("tokens expire at 24 h or not_valid_after; logout revokes", "[truevault][auth]") {
  TrueVaultOnly env;
  auto* clock = env.tv->service().manual_clock();
  REQUIRE(clock != nullptr);
  auto login = call_form(*env.tv, "POST", "/v1/auth/login", "", kAdminLogin);
  const std::string token = login.body["user"]["access_token"];
  auto shortlived = call_form(*env.tv, "POST", "/v1/auth/login", "",
                              {{"account_id", kAccount},
                               {"username", "admin"},
                               {"password", "admin-password"},
                               {"not_valid_after", "2026-01-01T00:30:00.000Z"}});
  const std::string short_token = shortlived.body["user"]["access_token"];
  clock->advance(std::chrono::minutes(30));
  expect_error(call(*env.tv, "GET", "/v1/auth/me", short_token), 401, "AUTH.TOKEN_EXPIRED",
               "Access token has expired");
  expect_success(call(*env.tv, "GET", "/v1/auth/me", token));
  clock->advance(std::chrono::hours(24) - std::chrono::minutes(30));
  expect_error(call(*env.tv, "GET", "/v1/auth/me", token), 401, "AUTH.TOKEN_EXPIRED",
               "Access token has expired");

  auto fresh = call_form(*env.tv, "POST", "/v1/auth/login", "", kAdminLogin);
  const std::string fresh_token = fresh.body["user"]["access_token"];
  auto out = call(*env.tv, "POST", "/v1/auth/logout", fresh_token);
  expect_success(out);
  CHECK(out.body["logout"]["id"] == kAdminId);
  CHECK(out.body["logout"]["username"] == "admin");
  expect_error(call(*env.tv, "GET", "/v1/auth/me", fresh_token), 401, "AUTH.TOKEN_REVOKED",
               "Access token is no longer valid (logged out)");
  expect_error(call(*env.tv, "POST", "/v1/auth/logout"), 401, "AUTH.UNAUTHORIZED",
               "Authentication required: send an API key or access token as the HTTP Basic "
               "username with an empty password");
}

TEST_CASE("auth/me read and update", "[truevault][auth]") {
  TrueVaultOnly env;
  auto plain = call(*env.tv, "GET", "/v1/auth/me?full=false", kReadonlyKey);
  expect_success(plain);
  CHECK_FALSE(plain.body["user"].contains("attributes"));
  auto full = call(*env.tv, "GET", "/v1/auth/me?full=true", kReadonlyKey);
  CHECK(full.body["user"]["attributes"] == "e30=");
  CHECK(full.body["user"]["group_ids"] == json::array({kReadOnlyGroup}));

  // Any valid credential may update its own attributes, null included (1.3).
  auto put = call_form(*env.tv, "PUT", "/v1/auth/me?full=true", kReadonlyKey,
                       {{"attributes", b64({{"nick", "ro"}})}});
  expect_success(put);
  CHECK(put.body["user"]["attributes"] == b64({{"nick", "ro"}}));
  auto null_attrs = call_form(*env.tv, "PUT", "/v1/auth/me?full=true", kReadonlyKey,
                              {{"attributes", b64(nullptr)}});
  CHECK(null_attrs.body["user"]["attributes"] == b64(nullptr));
  expect_error(call_form(*env.tv, "PUT", "/v1/auth/me", kReadonlyKey, {}), 400,
               "REQUEST.MISSING_PARAMETER", "Missing required parameter: attributes");
  expect_error(call(*env.tv, "GET", "/v1/auth/me", "00000000-0000-4000-a000-0000000000ff"), 401,
               "AUTH.INVALID_CREDENTIALS", "Invalid API key or access token");
}

TEST_CASE("reset rebuilds the fixture world", "[truevault][auth]") {
  TrueVaultOnly env;
  expect_success(
      call(*env.tv, "POST", std::string("/v1/users/") + kReadonlyId + "/api_key", kAdminKey));
  expect_error(call(*env.tv, "GET", "/v1/auth/me", kReadonlyKey), 401, "AUTH.INVALID_CREDENTIALS",
               "Invalid API key or access token");
  auto reset = env.tv->client()->Post("/_mock/reset", "", "application/json");
  REQUIRE(reset);
  CHECK(reset->status == 200);
  expect_success(call(*env.tv, "GET", "/v1/auth/me", kReadonlyKey));
  auto state = env.tv->client()->Get("/_mock/state");
  REQUIRE(state);
  const auto doc = json::parse(state->body);
  CHECK(doc["users"].size() == 5);
  CHECK(doc["groups"].size() == 5);
  CHECK(state->body.find("admin-password") == std::string::npos);
}

}  // namespace
}  // namespace mock::truevault::testing
