// Cross-account access on every Messages route of mock_twilio (issue 7), both directions,
// generated from twilio::routes(): another account's credentials on this account's path are
// 401/20003, this account's credentials on another account's path too, and another account's
// message SID under this account's path is 404/20404 (never the other account's message).
// Lists never show another account's messages. Nothing stored changes on a refusal.

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
#include "common/route_info.hpp"
#include "mock_twilio/service.hpp"
#include "tests/integration/twilio_test_support.hpp"
#include "tests/support/harness.hpp"

namespace mock::twilio {
namespace {

using nlohmann::json;
using namespace testing::twilio;

struct Tenant {
  std::string sid;
  std::string token;
  std::string from;
  std::string api_key;  // empty when the fixture gives it none
  std::string api_secret;
};
const Tenant kMain{kAc, kToken, kFrom, "SK00000000000000000000000000000001", "mock-api-key-secret"};
const Tenant kOther{"AC00000000000000000000000000000002", "a0000000000000000000000000000002",
                    "+15557779999", "", ""};

std::string fill(std::string_view pattern, const std::string& account, const std::string& sid) {
  std::string out(pattern);
  out.replace(out.find("([^/]+)"), 7, account);
  if (auto at = out.find("([^/]+)"); at != std::string::npos) out.replace(at, 7, sid);
  std::string plain;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\\') continue;
    plain += out[i];
  }
  return plain;
}

httplib::Result send(const testing::RunningService& s, const std::string& method,
                     const std::string& path, const std::string& user,
                     const std::string& password) {
  auto c = s.client();
  c->set_basic_auth(user.c_str(), password.c_str());
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (method == "POST") {
    req.body = "Body=";  // a redaction: would change a final message if it were reached
    req.set_header("Content-Type", "application/x-www-form-urlencoded");
  }
  return c->send(req);
}

json state(const testing::RunningService& s) {
  auto res = s.client()->Get("/_mock/state");
  REQUIRE(res);
  return json::parse(res->body);
}

std::string create(const testing::RunningService& s, const Tenant& t) {
  auto c = s.client();
  c->set_basic_auth(t.sid.c_str(), t.token.c_str());
  auto res = c->Post(("/2010-04-01/Accounts/" + t.sid + "/Messages.json").c_str(),
                     "To=%2B15550001111&From=" + common::url_encode(t.from) + "&Body=mine",
                     "application/x-www-form-urlencoded");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  return json::parse(res->body)["sid"];
}

TEST_CASE("cross-account: foreign credentials / paths / SIDs on every Messages route",
          "[twilio][authz][tenant]") {
  auto config = test_config();
  // Manual: no status step moves a message between the before/after state comparisons below
  // (in immediate mode the worker's steps land at any moment, making them flaky).
  config.progression = "manual";
  auto server = start_service(config);
  auto& s = *server;
  const std::string main_sid = create(s, kMain);
  const std::string other_sid = create(s, kOther);
  const json authenticate = error_envelope(401, 20003, "Authenticate");
  std::size_t n = 0;
  for (const auto& [me, them, mine, theirs] : {std::tuple{kMain, kOther, main_sid, other_sid},
                                               std::tuple{kOther, kMain, other_sid, main_sid}}) {
    for (const auto& route : routes()) {
      if (route.kind != common::RouteKind::kVendor) continue;
      const std::string method(route.method);
      INFO(me.sid << " " << method << " " << route.path);
      struct Attempt {
        std::string what;
        std::string path;
        std::string user;
        std::string password;
        json expected;
      };
      std::vector<Attempt> attempts = {
          {"their credentials on my path", fill(route.path, me.sid, mine), them.sid, them.token,
           authenticate},
          {"my credentials on their path", fill(route.path, them.sid, theirs), me.sid, me.token,
           authenticate},
          {"their SID with my token", fill(route.path, me.sid, mine), them.sid, me.token,
           authenticate},
      };
      if (!me.api_key.empty()) {
        attempts.push_back({"my API key on their path", fill(route.path, them.sid, theirs),
                            me.api_key, me.api_secret, authenticate});
      }
      if (route.path.find("Messages/") != std::string_view::npos) {
        const std::string path = fill(route.path, me.sid, theirs);
        attempts.push_back(
            {"their message under my path", path, me.sid, me.token,
             error_envelope(404, 20404, "The requested resource " + path + " was not found")});
      }
      for (const auto& a : attempts) {
        INFO(a.what << ": " << a.path);
        const json before = state(s);
        auto res = send(s, method, a.path, a.user, a.password);
        REQUIRE(res);
        INFO(res->body);
        CHECK(res->status == a.expected["status"]);
        CHECK(json::parse(res->body) == a.expected);
        CHECK(state(s) == before);
        ++n;
      }
    }
  }
  CHECK(n == 2 * (5 * 3 + 3) + 5);  // 5 routes x 3, 3 with a message SID; API key: main only

  // Each account's list holds only its own message.
  for (const auto& [t, sid] : {std::pair{kMain, main_sid}, std::pair{kOther, other_sid}}) {
    auto c = s.client();
    c->set_basic_auth(t.sid.c_str(), t.token.c_str());
    auto res = c->Get(("/2010-04-01/Accounts/" + t.sid + "/Messages.json").c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const auto list = json::parse(res->body)["messages"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["sid"] == sid);
    CHECK(list[0]["account_sid"] == t.sid);
  }
}

}  // namespace
}  // namespace mock::twilio
