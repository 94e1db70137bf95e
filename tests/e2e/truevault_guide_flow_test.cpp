// The TrueVault guide "How do I send SMS messages to TrueVault users?" against the two real
// binaries (issue 3, "The flow that must work verbatim"): mock_twilio and mock_truevault on
// ephemeral ports (--port 0 --port-file), mock_truevault --twilio-url pointing at
// mock_twilio, the guide's exact request, asserted at mock_twilio.

#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "tests/support/harness.hpp"

namespace mock::testing {
namespace {

using nlohmann::json;

constexpr const char* kPatient = "4a635639-fcf5-4cca-9b79-25376fdb460f";
constexpr const char* kNotifierKey = "00000000-0000-4000-a000-0000000000a2";
constexpr const char* kReadonlyKey = "00000000-0000-4000-a000-0000000000a3";
constexpr const char* kTwilioAccount = "AC00000000000000000000000000000001";
constexpr const char* kTwilioAuthToken = "a0000000000000000000000000000001";

// Exactly the guide's curl body, with the default fixture's Twilio credentials filled in.
const std::string kGuideBody = R"({"provider": "TWILIO",
           "auth": {"account_sid": "AC00000000000000000000000000000001",
                    "username": "SK00000000000000000000000000000001",
                    "password": "mock-api-key-secret"},
           "from_number": {"literal_value": "+15557778888"},
           "to_number": {"user_attribute": "phone"},
           "message_body": "Please check your HealthCo messages"})";

// $MOCK_BIN_DIR/<name>, else beside this test executable: catch_discover_tests keeps only
// the first entry of a list-valued ENVIRONMENT property, so under ctest MOCK_BIN_DIR can be
// missing (reported to the lead; tests/CMakeLists.txt is not this area's).
std::string exe(const std::string& name) {
  if (std::getenv("MOCK_BIN_DIR") != nullptr) return bin_path(name);
  return (std::filesystem::canonical("/proc/self/exe").parent_path() / name).string();
}

struct Servers {
  Servers() {
    dir = temp_dir("truevault-e2e");
    twilio = std::make_unique<Process>(
        std::vector<std::string>{exe("mock_twilio"), "--port", "0", "--port-file",
                                 dir + "/twilio.port", "--fixtures", fixture_path("default")});
    twilio_port = twilio->wait_for_port_file(dir + "/twilio.port");
    INFO("mock_twilio stderr: " << twilio->stderr_text());
    REQUIRE(twilio_port > 0);
    truevault = std::make_unique<Process>(std::vector<std::string>{
        exe("mock_truevault"), "--port", "0", "--port-file", dir + "/truevault.port", "--fixtures",
        fixture_path("default"), "--twilio-url",
        "http://127.0.0.1:" + std::to_string(twilio_port)});
    truevault_port = truevault->wait_for_port_file(dir + "/truevault.port");
    INFO(truevault->stderr_text());
    REQUIRE(truevault_port > 0);
    CHECK(truevault->wait_for_output("listening on http://127.0.0.1:" +
                                     std::to_string(truevault_port)));
  }
  ~Servers() {
    truevault.reset();
    twilio.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // POST the SMS request like the guide's curl (-u KEY: -H 'Content-Type: application/json').
  httplib::Result send_sms(const std::string& user, const std::string& key,
                           const std::string& body) const {
    httplib::Client client("127.0.0.1", truevault_port);
    client.set_read_timeout(10);
    client.set_basic_auth(key, "");
    return client.Post("/v1/users/" + user + "/message/sms", body, "application/json");
  }
  std::size_t twilio_messages() const {
    httplib::Client client("127.0.0.1", twilio_port);
    auto res = client.Get("/_mock/messages");
    REQUIRE(res);
    return json::parse(res->body)["messages"].size();
  }

  std::string dir;
  std::unique_ptr<Process> twilio;
  std::unique_ptr<Process> truevault;
  int twilio_port = -1;
  int truevault_port = -1;
};

void check_error(const httplib::Result& res, int status, const std::string& code,
                 const std::string& message) {
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == status);
  const auto body = json::parse(res->body);
  CHECK(body["result"] == "error");
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["type"] == code);
  CHECK(body["error"]["message"] == message);
  CHECK(body["transaction_id"].get<std::string>().size() == 36);
}

TEST_CASE("the guide's SMS flow through both real binaries", "[e2e][truevault]") {
  Servers s;
  auto res = s.send_sms(kPatient, kNotifierKey, kGuideBody);
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  const auto body = json::parse(res->body);
  CHECK(body["result"] == "success");
  CHECK(body["transaction_id"].get<std::string>().size() == 36);
  const std::string sid = body["provider_message_id"];
  CHECK(sid.rfind("SM", 0) == 0);
  CHECK(sid.size() == 34);

  httplib::Client twilio("127.0.0.1", s.twilio_port);
  twilio.set_basic_auth(kTwilioAccount, kTwilioAuthToken);
  auto message = twilio.Get(std::string("/2010-04-01/Accounts/") + kTwilioAccount + "/Messages/" +
                            sid + ".json");
  REQUIRE(message);
  REQUIRE(message->status == 200);
  const auto m = json::parse(message->body);
  CHECK(m["to"] == "+15550001111");
  CHECK(m["from"] == "+15557778888");
  CHECK(m["body"] == "Please check your HealthCo messages");
  // The phone number never shows in mock_truevault's log.
  CHECK(s.truevault->stderr_text().find("5550001111") == std::string::npos);
}

TEST_CASE("guide flow refusals through both real binaries", "[e2e][truevault]") {
  Servers s;
  check_error(s.send_sms(kPatient, kReadonlyKey, kGuideBody), 403, "AUTH.FORBIDDEN",
              "Not authorized: the caller's group policies do not grant C on "
              "User::4a635639-fcf5-4cca-9b79-25376fdb460f::Message");
  check_error(s.send_sms("00000000-0000-4000-a000-000000000999", kNotifierKey, kGuideBody), 404,
              "USER.NOT_FOUND", "User 00000000-0000-4000-a000-000000000999 does not exist");
  auto body = json::parse(kGuideBody);
  body["to_number"] = {{"user_attribute", "mobile"}};
  check_error(s.send_sms(kPatient, kNotifierKey, body.dump()), 400, "MESSAGE.ATTRIBUTE_MISSING",
              "The user has no attribute 'mobile'");
  body = json::parse(kGuideBody);
  body["auth"]["password"] = "not-the-secret";
  check_error(s.send_sms(kPatient, kNotifierKey, body.dump()), 400, "MESSAGE.PROVIDER_ERROR",
              "Twilio error 20003: Authenticate");
  CHECK(s.twilio_messages() == 0);
}

}  // namespace
}  // namespace mock::testing
