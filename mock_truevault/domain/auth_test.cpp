#include "mock_truevault/domain/auth.hpp"

#include <catch2/catch.hpp>

#include "mock_truevault/domain/test_world.hpp"
#include "mock_truevault/domain/users.hpp"

namespace mock::truevault {
namespace {

using namespace testing;
using namespace std::chrono_literals;

void check_error(const ApiError& e, int status, const std::string& code,
                 const std::string& message) {
  CHECK(e.http_status == status);
  CHECK(e.code == code);
  CHECK(e.message == message);
}

TEST_CASE("API keys authenticate; bad credentials are 401", "[truevault][auth]") {
  World w;
  auto p = w.auth.authenticate(Credential{kAdminKey, ""});
  REQUIRE(p.has_value());
  CHECK(p->user.id == kAdminId);
  CHECK_FALSE(p->access_token.has_value());

  check_error(w.auth.authenticate(std::nullopt).error(), 401, "AUTH.UNAUTHORIZED",
              "Authentication required: send an API key or access token as the HTTP Basic "
              "username with an empty password");
  check_error(w.auth.authenticate(Credential{"nope", ""}).error(), 401, "AUTH.INVALID_CREDENTIALS",
              "Invalid API key or access token");
  check_error(w.auth.authenticate(Credential{kAdminKey, "secret"}).error(), 401,
              "AUTH.UNAUTHORIZED",
              "Invalid credentials: scoped access tokens (username:password) are not supported "
              "by this mock; send an API key or access token with an empty password");
}

TEST_CASE("access tokens expire after 24 h by the service clock", "[truevault][auth]") {
  World w;
  auto login = w.auth.login({kAccount, "admin", "admin-password", std::nullopt});
  REQUIRE(login.has_value());
  const std::string token = login->access_token;
  CHECK(token.rfind(".eJ", 0) == 0);
  REQUIRE(w.auth.authenticate(Credential{token, ""}).has_value());
  CHECK(w.auth.authenticate(Credential{token, ""})->access_token == token);

  w.clock.advance(24h - 1ms);
  CHECK(w.auth.authenticate(Credential{token, ""}).has_value());
  w.clock.advance(1ms);
  check_error(w.auth.authenticate(Credential{token, ""}).error(), 401, "AUTH.TOKEN_EXPIRED",
              "Access token has expired");
}

TEST_CASE("not_valid_after sets the expiry; past values are refused", "[truevault][auth]") {
  World w;
  const auto until = w.clock.now() + 10min;
  auto login = w.auth.login({kAccount, "admin", "admin-password", until});
  REQUIRE(login.has_value());
  w.clock.advance(10min - 1ms);
  CHECK(w.auth.authenticate(Credential{login->access_token, ""}).has_value());
  w.clock.advance(1ms);
  CHECK(w.auth.authenticate(Credential{login->access_token, ""}).error().code ==
        "AUTH.TOKEN_EXPIRED");

  check_error(w.auth.login({kAccount, "admin", "admin-password", w.clock.now()}).error(), 400,
              "REQUEST.INVALID_PARAMETER", "Invalid not_valid_after: must be in the future");
}

TEST_CASE("login failures all read the same", "[truevault][auth]") {
  World w;
  const std::string message = "Invalid account_id, username or password";
  check_error(w.auth.login({kAccount, "admin", "wrong", std::nullopt}).error(), 401,
              "AUTH.INVALID_CREDENTIALS", message);
  check_error(w.auth.login({kAccount, "nobody", "x", std::nullopt}).error(), 401,
              "AUTH.INVALID_CREDENTIALS", message);
  check_error(
      w.auth
          .login({"00000000-0000-4000-a000-000000000009", "admin", "admin-password", std::nullopt})
          .error(),
      401, "AUTH.INVALID_CREDENTIALS", message);
  // Accounts are separate: the same username in another account is another user.
  auto other = w.auth.login({kOtherAccount, "admin", "admin-password", std::nullopt});
  REQUIRE(other.has_value());
  CHECK(other->user.id == kOtherAdminId);
}

TEST_CASE("logout revokes the calling token only", "[truevault][auth]") {
  World w;
  auto a = w.auth.login({kAccount, "admin", "admin-password", std::nullopt}).value();
  auto b = w.auth.login({kAccount, "admin", "admin-password", std::nullopt}).value();
  auto caller = w.auth.authenticate(Credential{a.access_token, ""}).value();
  CHECK(w.auth.logout(caller).id == kAdminId);
  check_error(w.auth.authenticate(Credential{a.access_token, ""}).error(), 401,
              "AUTH.TOKEN_REVOKED", "Access token is no longer valid (logged out)");
  CHECK(w.auth.authenticate(Credential{b.access_token, ""}).has_value());
  CHECK(w.auth.authenticate(Credential{kAdminKey, ""}).has_value());
}

TEST_CASE("API key rotation stops the old key; delete revokes everything", "[truevault][auth]") {
  World w;
  Users users(*w.store, w.auth, w.clock);
  auto admin = w.principal(kAdminKey);
  auto key = users.create_user_api_key(admin, kPatientId);
  REQUIRE(key.has_value());
  CHECK(w.auth.authenticate(Credential{kPatientKey, ""}).error().code ==
        "AUTH.INVALID_CREDENTIALS");
  CHECK(w.auth.authenticate(Credential{*key, ""})->user.id == kPatientId);

  auto token = users.create_user_access_token(admin, kPatientId, std::nullopt).value();
  REQUIRE(users.delete_user(admin, kPatientId).has_value());
  CHECK(w.auth.authenticate(Credential{*key, ""}).error().code == "AUTH.INVALID_CREDENTIALS");
  CHECK(w.auth.authenticate(Credential{token.access_token, ""}).error().code ==
        "AUTH.TOKEN_REVOKED");
}

TEST_CASE("authorize names the missing activity and resource", "[truevault][auth]") {
  World w;
  auto notifier = w.principal(kNotifierKey);
  CHECK(w.auth.authorize(notifier, Rule::kSendSms, {.user_id = kPatientId}).has_value());
  check_error(w.auth.authorize(notifier, Rule::kReadUser, {.user_id = kPatientId}).error(), 403,
              "AUTH.FORBIDDEN",
              "Not authorized: the caller's group policies do not grant R on "
              "User::4a635639-fcf5-4cca-9b79-25376fdb460f");
  CHECK(w.auth.authorize(notifier, Rule::kReadCurrentUser).has_value());
}

}  // namespace
}  // namespace mock::truevault
