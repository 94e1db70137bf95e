// Request-size limits of mock_truevault (README "Deviations and choices": 1 MiB, 413
// REQUEST.TOO_LARGE), and that a form body over httplib's compiled-in 8 KiB limit still
// reaches the handler (bodies are read through a content reader).

#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

TEST_CASE("a body over 1 MiB is refused with REQUEST.TOO_LARGE; nothing changes",
          "[truevault][limits]") {
  TrueVaultOnly env;
  const std::string huge = "username=big%40example.com&attributes=" + std::string(1100000, 'A');
  auto r = call(*env.tv, "POST", "/v1/users", kAdminKey, huge, "application/x-www-form-urlencoded");
  expect_error(r, 413, "REQUEST.TOO_LARGE", "Request body is too large");

  // The server still serves, and no user was created.
  auto list = call(*env.tv, "GET", "/v1/users", kAdminKey);
  expect_success(list);
  for (const auto& u : list.body["users"]) CHECK(u["username"] != "big@example.com");
}

TEST_CASE("a urlencoded body over 8 KiB is read, not refused", "[truevault][limits]") {
  TrueVaultOnly env;
  const std::string name(20000, 'n');
  auto r = call_form(
      *env.tv, "POST", "/v1/users", kAdminKey,
      {{"username", "long@example.com"}, {"attributes", b64(nlohmann::json{{"note", name}})}});
  expect_success(r);
  CHECK(r.body["user"]["username"] == "long@example.com");
}

}  // namespace
}  // namespace mock::truevault::testing
