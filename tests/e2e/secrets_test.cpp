// Secrets hygiene (issue 7): a full flow over both real executables at --log-level trace
// (the most verbose level; debug is a subset), then every byte they wrote to stdout and stderr
// is searched for every credential and attribute value the flow used: passwords, API keys,
// access tokens, the Twilio AuthToken and API key secret, the Basic header values and base64
// of them, phone numbers, emails, attribute JSON (plain and base64). The flow includes logins,
// minted keys and tokens, users with attributes, the guide's SMS with the body taken from an
// attribute, Twilio creates with both credential kinds, and refusals with bad credentials
// (wrong password, wrong key, wrong AuthToken, revoked token, wrong Twilio secret inside the
// SMS request).

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/e2e/soak_support.hpp"
#include <signal.h>

namespace mock::testing::soak {
namespace {

// Distinctive values, so a hit in the logs can only come from this flow.
constexpr const char* kUserPassword = "Pw-hygiene-7b1e";
constexpr const char* kUserPhone = "+15550064321";
constexpr const char* kUserEmail = "hygiene.person@example.org";
constexpr const char* kUserNote = "note-hygiene-2f9c";
constexpr const char* kUpdatedPhone = "+15550069876";
constexpr const char* kWrongPassword = "Wrong-pw-hygiene-41";
constexpr const char* kWrongKey = "11111111-2222-4333-8444-555555555555";
constexpr const char* kWrongAuthToken = "b0000000000000000000000000hygiene";
constexpr const char* kWrongSecret = "wrong-secret-hygiene";

struct Answer {
  int status = 0;
  json body;
};

Answer call(httplib::Client& c, const std::string& method, const std::string& path,
            const httplib::Headers& headers, const std::string& body = "",
            const std::string& type = "application/json") {
  auto res = method == "GET"   ? c.Get(path, headers)
             : method == "PUT" ? c.Put(path, headers, body, type)
                               : c.Post(path, headers, body, type);
  REQUIRE(res);
  return {res->status, json::parse(res->body, nullptr, false)};
}

TEST_CASE("secrets: no credential or attribute value reaches the logs at --log-level trace",
          "[e2e][secrets]") {
  TempDir dir("mock-secrets");
  auto pair =
      start_pair(dir.path(), std::nullopt, {"--log-level", "trace"}, {"--log-level", "trace"});
  auto tv = client_for(pair.truevault.port);
  auto tw = client_for(pair.twilio.port);
  std::set<std::string> secrets = {
      kTvAdminKey,    kTvNotifierKey, kTvAdminPassword, kTwilioAuthToken, kTwilioApiSecret,
      kUserPassword,  kUserPhone,     kUserEmail,       kUserNote,        kUpdatedPhone,
      kWrongPassword, kWrongKey,      kWrongAuthToken,  kWrongSecret,     "5550001111"};
  const auto admin = basic(kTvAdminKey, "");

  // Login (form, and the Ruby client's query string) and the token it returns.
  auto login = call(
      *tv, "POST", "/v1/auth/login", {},
      form({{"account_id", kTvAccount}, {"username", "admin"}, {"password", kTvAdminPassword}}),
      "application/x-www-form-urlencoded");
  REQUIRE(login.status == 200);
  const std::string admin_token = login.body["user"]["access_token"];
  secrets.insert(admin_token);
  CHECK(call(*tv, "GET", "/v1/auth/me", basic(admin_token, "")).status == 200);

  // A user with PII attributes; its minted key and token.
  const json attributes = {{"phone", kUserPhone}, {"email", kUserEmail}, {"note", kUserNote}};
  secrets.insert(attributes.dump());
  secrets.insert(common::base64_encode(attributes.dump()));
  auto created = call(
      *tv, "POST", "/v1/users?full=true", admin,
      json{{"username", "hygiene-user"}, {"password", kUserPassword}, {"attributes", attributes}}
          .dump());
  REQUIRE(created.status == 200);
  const std::string user_id = created.body["user"]["id"];
  const std::string user_key = created.body["user"]["api_key"];
  secrets.insert(user_key);
  secrets.insert(created.body["user"]["access_token"].get<std::string>());
  CHECK(call(*tv, "GET", "/v1/auth/me", basic(user_key, "")).status == 200);
  auto query_login = call(*tv, "POST",
                          "/v1/auth/login?" + form({{"account_id", kTvAccount},
                                                    {"username", "hygiene-user"},
                                                    {"password", kUserPassword}}),
                          {});
  REQUIRE(query_login.status == 200);
  secrets.insert(query_login.body["user"]["access_token"].get<std::string>());
  auto new_key = call(*tv, "POST", "/v1/users/" + user_id + "/api_key", admin);
  REQUIRE(new_key.status == 200);
  secrets.insert(new_key.body["api_key"].get<std::string>());
  auto new_token = call(*tv, "POST", "/v1/users/" + user_id + "/access_token", admin);
  REQUIRE(new_token.status == 200);
  const std::string user_token = new_token.body["user"]["access_token"];
  secrets.insert(user_token);
  CHECK(call(*tv, "GET", "/v1/auth/me", basic(user_token, "")).status == 200);

  // Update and read the attributes (v1 base64, v2 plain).
  const json updated = {{"phone", kUpdatedPhone}, {"email", kUserEmail}, {"note", kUserNote}};
  secrets.insert(updated.dump());
  secrets.insert(common::base64_encode(updated.dump()));
  CHECK(call(*tv, "PUT", "/v1/users/" + user_id, admin,
             form({{"attributes", common::base64_encode(updated.dump())}}),
             "application/x-www-form-urlencoded")
            .status == 200);
  CHECK(call(*tv, "GET", "/v1/users/" + user_id + "?full=true", admin).status == 200);
  CHECK(call(*tv, "GET", "/v2/users/" + user_id + "?full=true", admin).status == 200);
  CHECK(call(*tv, "GET", "/v1/users?full=true", admin).status == 200);

  // The guide's SMS, with the text from an attribute too; then at Twilio.
  auto sms = json::parse(guide_sms_request("unused"));
  sms["message_body"] = {{"user_attribute", "note"}};
  auto sent = call(*tv, "POST", "/v1/users/" + user_id + "/message/sms", basic(kTvNotifierKey, ""),
                   sms.dump());
  REQUIRE(sent.status == 200);
  const std::string sid = sent.body["provider_message_id"];
  auto fetched = call(*tw, "GET", twilio_messages_path() + "/" + sid + ".json",
                      basic(kTwilioAccount, kTwilioAuthToken));
  REQUIRE(fetched.status == 200);
  CHECK(fetched.body["to"] == kUpdatedPhone);
  CHECK(fetched.body["body"] == kUserNote);
  CHECK(call(*tv, "GET", "/_mock/messages", {}).status == 200);
  CHECK(call(*tw, "GET", "/_mock/messages", {}).status == 200);

  // Twilio creates with the AuthToken and with the API key, and a list.
  const std::string twilio_form =
      form({{"To", kUserPhone}, {"From", kTwilioFrom}, {"Body", kUserNote}});
  auto direct =
      call(*tw, "POST", twilio_messages_path() + ".json", basic(kTwilioAccount, kTwilioAuthToken),
           twilio_form, "application/x-www-form-urlencoded");
  CHECK(direct.status == 201);
  CHECK(call(*tw, "POST", twilio_messages_path() + ".json", basic(kTwilioApiKey, kTwilioApiSecret),
             twilio_form, "application/x-www-form-urlencoded")
            .status == 201);
  CHECK(call(*tw, "GET", twilio_messages_path() + ".json?To=" + common::url_encode(kUserPhone),
             basic(kTwilioAccount, kTwilioAuthToken))
            .status == 200);

  // Refusals: wrong password, wrong key, malformed Basic, wrong AuthToken and API secret,
  // a revoked token, and a wrong Twilio secret inside the SMS request.
  CHECK(
      call(*tv, "POST", "/v1/auth/login", {},
           form({{"account_id", kTvAccount}, {"username", "admin"}, {"password", kWrongPassword}}),
           "application/x-www-form-urlencoded")
          .status == 401);
  CHECK(call(*tv, "GET", "/v1/auth/me", basic(kWrongKey, "")).status == 401);
  CHECK(
      call(*tv, "GET", "/v1/auth/me", {{"Authorization", std::string("Basic ") + kWrongKey + "%%"}})
          .status == 401);
  CHECK(call(*tw, "GET", twilio_messages_path() + ".json", basic(kTwilioAccount, kWrongAuthToken))
            .status == 401);
  CHECK(call(*tw, "GET", twilio_messages_path() + ".json", basic(kTwilioApiKey, kWrongSecret))
            .status == 401);
  CHECK(call(*tv, "POST", "/v1/auth/logout", basic(user_token, "")).status == 200);
  CHECK(call(*tv, "GET", "/v1/auth/me", basic(user_token, "")).status == 401);
  sms["auth"]["password"] = kWrongSecret;
  CHECK(call(*tv, "POST", "/v1/users/" + user_id + "/message/sms", basic(kTvNotifierKey, ""),
             sms.dump())
            .status == 400);
  sms["auth"]["password"] = kTwilioApiSecret;
  sms["to_number"] = {{"user_attribute", "email"}};  // Twilio refuses it (21211), echoing To
  CHECK(call(*tv, "POST", "/v1/users/" + user_id + "/message/sms", basic(kTvNotifierKey, ""),
             sms.dump())
            .status == 400);

  CHECK(exit_code(pair.truevault.process->stop(SIGTERM, 10000)) == 0);
  CHECK(exit_code(pair.twilio.process->stop(SIGTERM, 10000)) == 0);

  // Every Basic header value the flow sent, and base64 of each secret alone.
  for (const std::string& s : std::vector<std::string>(secrets.begin(), secrets.end())) {
    secrets.insert(common::base64_encode(s + ":"));
    secrets.insert(common::base64_encode(s));
  }
  secrets.insert(common::base64_encode(std::string(kTwilioAccount) + ":" + kTwilioAuthToken));
  secrets.insert(common::base64_encode(std::string(kTwilioApiKey) + ":" + kTwilioApiSecret));
  secrets.insert(common::base64_encode(std::string(kTwilioAccount) + ":" + kWrongAuthToken));
  secrets.insert(common::base64_encode(std::string(kTwilioApiKey) + ":" + kWrongSecret));
  // The same values URL-encoded, as they travel in forms and query strings.
  for (const std::string& s : std::vector<std::string>(secrets.begin(), secrets.end())) {
    secrets.insert(common::url_encode(s));
  }

  for (const Server* server : {&pair.twilio, &pair.truevault}) {
    const std::string logs = server->process->stderr_text() + server->process->stdout_text();
    INFO(logs);
    // The logs are there: one access line per request (so an empty log cannot pass).
    CHECK(logs.find("listening on http://127.0.0.1:") != std::string::npos);
    CHECK(logs.find(server == &pair.twilio ? "POST /2010-04-01/Accounts/"
                                           : "POST /v1/auth/login") != std::string::npos);
    for (const auto& secret : secrets) {
      INFO("secret: " << secret);
      CHECK(logs.find(secret) == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace mock::testing::soak
