#pragma once
// Test-only support for tests/integration/truevault_*_test.cpp (header-only). Starts mock_truevault
// in-process on 127.0.0.1:0 with the default fixture, sequential ids and a manual clock, optionally
// with an in-process mock_twilio it forwards SMS to, and offers small request helpers that return
// parsed JSON.

#include <memory>
#include <optional>
#include <string>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
#include "mock_truevault/domain/test_ids.hpp"
#include "mock_truevault/service.hpp"
#include "mock_twilio/service.hpp"
#include "tests/support/harness.hpp"

namespace mock::truevault::testing {

// The default fixture's TrueVault ids are in test_ids.hpp; its Twilio credentials:
inline constexpr const char* kTwilioAccount = "AC00000000000000000000000000000001";
inline constexpr const char* kTwilioAuthToken = "a0000000000000000000000000000001";
inline constexpr const char* kTwilioKey = "SK00000000000000000000000000000001";
inline constexpr const char* kTwilioSecret = "mock-api-key-secret";

inline Config truevault_config(const std::string& twilio_url, long long timeout_ms = 2000) {
  Config c;
  c.server.fixtures = mock::testing::fixture_path("default");
  c.server.clock = "manual";
  c.sequential_ids = true;
  c.twilio_url = twilio_url;
  c.twilio_timeout = std::chrono::milliseconds(timeout_ms);
  c.server.log_level = "warn";
  return c;
}

inline std::unique_ptr<mock::testing::RunningService> start_twilio() {
  twilio::Config c;
  c.server.fixtures = mock::testing::fixture_path("default");
  c.server.clock = "manual";
  c.sequential_ids = true;
  c.server.log_level = "warn";
  auto service = twilio::make_service(c);
  if (!service) FAIL("mock_twilio did not start: " << service.error());
  return std::make_unique<mock::testing::RunningService>(std::move(*service));
}

inline std::unique_ptr<mock::testing::RunningService> start_truevault(const Config& config) {
  auto service = make_service(config);
  if (!service) FAIL("mock_truevault did not start: " << service.error());
  return std::make_unique<mock::testing::RunningService>(std::move(*service));
}

// mock_truevault alone: SMS forwarding points at a closed port (127.0.0.1:1).
struct TrueVaultOnly {
  TrueVaultOnly() : tv(start_truevault(truevault_config("http://127.0.0.1:1"))) {}
  std::unique_ptr<mock::testing::RunningService> tv;
};

struct Reply {
  int status = 0;
  nlohmann::json body;
};

// Sends one request. `credential` is the Basic username (API key or token; "" = none),
// `content_type` "" = no body.
inline Reply call(const mock::testing::RunningService& server, const std::string& method,
                  const std::string& path, const std::string& credential = "",
                  const std::string& body = "", const std::string& content_type = "") {
  auto client = server.client();
  httplib::Headers headers;
  if (!credential.empty()) {
    headers.emplace("Authorization", "Basic " + common::base64_encode(credential + ":"));
  }
  const std::string type = content_type.empty() ? "text/plain" : content_type;
  auto res = [&] {
    if (method == "GET") return client->Get(path, headers);
    if (method == "DELETE") {
      return content_type.empty() ? client->Delete(path, headers)
                                  : client->Delete(path, headers, body, content_type);
    }
    if (method == "PUT") return client->Put(path, headers, body, type);
    return client->Post(path, headers, body, type);
  }();
  if (!res)
    FAIL("request failed: " << method << " " << path << ": " << httplib::to_string(res.error()));
  Reply r;
  r.status = res->status;
  INFO(method << " " << path << " -> " << res->status << " " << res->body);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  r.body = nlohmann::json::parse(res->body, nullptr, false);
  REQUIRE_FALSE(r.body.is_discarded());
  return r;
}

inline Reply call_json(const mock::testing::RunningService& server, const std::string& method,
                       const std::string& path, const std::string& credential,
                       const nlohmann::json& body) {
  return call(server, method, path, credential, body.dump(), "application/json");
}

inline Reply call_form(const mock::testing::RunningService& server, const std::string& method,
                       const std::string& path, const std::string& credential,
                       const std::vector<common::Form::Field>& fields) {
  return call(server, method, path, credential, common::encode_form(fields),
              "application/x-www-form-urlencoded");
}

inline std::string b64(const nlohmann::json& value) { return common::base64_encode(value.dump()); }

// A success envelope: HTTP 200, result success, a UUID transaction id.
inline void expect_success(const Reply& r) {
  INFO(r.body.dump());
  CHECK(r.status == 200);
  CHECK(r.body["result"] == "success");
  CHECK(r.body["transaction_id"].is_string());
  CHECK(r.body["transaction_id"].get<std::string>().size() == 36);
}

// TrueVault's error envelope with these values; code and type are the same string.
inline void expect_error(const Reply& r, int status, const std::string& code,
                         const std::string& message) {
  INFO(r.body.dump());
  CHECK(r.status == status);
  CHECK(r.body["result"] == "error");
  CHECK(r.body["error"]["code"] == code);
  CHECK(r.body["error"]["type"] == code);
  CHECK(r.body["error"]["message"] == message);
  CHECK(r.body["transaction_id"].is_string());
}

inline std::string forbidden(char activity, const std::string& resource) {
  return std::string("Not authorized: the caller's group policies do not grant ") + activity +
         " on " + resource;
}

}  // namespace mock::truevault::testing
