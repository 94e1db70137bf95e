// The bad-input matrix of mock_twilio (issue 7), table-driven over twilio::routes(): the route
// table the server itself registers. Every Messages route gets missing, malformed and foreign
// credentials, oversized headers and request lines, ids with traversal and SQL; the body routes
// get oversized, malformed multipart, JSON and other content types, invalid UTF-8; the
// /_mock/twilio JSON routes get malformed, nested and huge-number bodies. Each answer is
// Twilio's envelope {code, message, more_info, status} with the expected values; the server
// keeps answering; the stored state (GET /_mock/state, callback options, lifecycle) is the
// same before and after.

#include <set>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/control_plane.hpp"
#include "common/crypto.hpp"
#include "common/form.hpp"
#include "common/route_info.hpp"
#include "mock_twilio/service.hpp"
#include "tests/integration/twilio_test_support.hpp"
#include "tests/support/harness.hpp"

namespace mock::twilio {
namespace {

using nlohmann::json;
using namespace testing::twilio;  // kAc, kToken, kFrom, paths, test_config, error_envelope

const std::string kOtherAc = "AC00000000000000000000000000000002";
const std::string kOtherToken = "a0000000000000000000000000000002";

struct Req {
  std::string method;
  std::string path;  // sent as written (already percent-encoded)
  httplib::Headers headers;
  std::string body;
  std::string content_type;
};

httplib::Result send(const testing::RunningService& s, const Req& r) {
  auto client = s.client();
  client->set_url_encode(false);
  httplib::Request req;
  req.method = r.method;
  req.path = r.path;
  req.headers = r.headers;
  req.body = r.body;
  if (!r.content_type.empty()) req.set_header("Content-Type", r.content_type);
  return client->send(req);
}

httplib::Headers basic(const std::string& user, const std::string& password) {
  return {{"Authorization", "Basic " + common::base64_encode(user + ":" + password)}};
}
const httplib::Headers kAuth = basic(kAc, kToken);

// Everything a request could have changed.
json stored(const testing::RunningService& s) {
  json out;
  for (const char* path :
       {"/_mock/state", "/_mock/twilio/callback_options", "/_mock/twilio/lifecycle"}) {
    auto res = s.client()->Get(path);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    out[path] = json::parse(res->body);
  }
  return out;
}

struct Expected {
  int status;
  int code;
  std::string message;
};

void expect_refused(const testing::RunningService& s, const Req& r, const Expected& e) {
  const json before = stored(s);
  auto res = send(s, r);
  INFO(r.method << " " << r.path.substr(0, 200) << " body " << r.body.substr(0, 120));
  REQUIRE(res);
  INFO("-> " << res->status << " " << res->body.substr(0, 400));
  CHECK(res->status == e.status);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  const json body = json::parse(res->body, nullptr, false);
  REQUIRE_FALSE(body.is_discarded());
  CHECK(body == error_envelope(e.status, e.code, e.message));
  CHECK(stored(s) == before);  // also proves the server still answers
}

// A server whose main account has one message, and the other account one too.
struct Env {
  Env() : server(start_service(test_config())) {
    auto c = server->client();
    c->set_basic_auth(kAc.c_str(), kToken.c_str());
    auto res = c->Post(kMessages.c_str(), "To=%2B15550001111&From=%2B15557778888&Body=kept",
                       "application/x-www-form-urlencoded");
    REQUIRE(res);
    REQUIRE(res->status == 201);
    sid = json::parse(res->body)["sid"];
    auto other = server->client();
    other->set_basic_auth(kOtherAc.c_str(), kOtherToken.c_str());
    res = other->Post(("/2010-04-01/Accounts/" + kOtherAc + "/Messages.json").c_str(),
                      "To=%2B15550001111&From=%2B15557779999&Body=theirs",
                      "application/x-www-form-urlencoded");
    REQUIRE(res);
    REQUIRE(res->status == 201);
    other_sid = json::parse(res->body)["sid"];
  }
  std::unique_ptr<testing::RunningService> server;
  std::string sid;
  std::string other_sid;
};

std::vector<common::RouteInfo> of_kind(common::RouteKind kind) {
  std::vector<common::RouteInfo> out;
  for (const auto& r : routes()) {
    if (r.kind == kind) out.push_back(r);
  }
  return out;
}

bool reads_body(const common::RouteInfo& r) { return r.method == "POST" || r.method == "PUT"; }

const Expected kAuthenticate{401, 20003, "Authenticate"};

// {"a":{"a":...{}...}} `depth` levels deep.
std::string nested_object(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "{}";
  out += std::string(depth, '}');
  return out;
}

TEST_CASE("the route table: the five Messages operations and /_mock only otherwise",
          "[twilio][badinput][routes]") {
  std::set<std::string> vendor;
  for (const auto& r : routes()) {
    INFO(r.method << " " << r.path);
    if (r.kind == common::RouteKind::kVendor) {
      CHECK(r.path.starts_with("/2010-04-01/Accounts/([^/]+)/Messages"));
      vendor.insert(std::string(r.handler));
    } else {
      CHECK(r.path.starts_with("/_mock/"));
    }
  }
  CHECK(vendor == std::set<std::string>{"create_message", "list_message", "fetch_message",
                                        "update_message", "delete_message"});
  CHECK(of_kind(common::RouteKind::kControl).size() == common::control_plane_routes().size());
}

TEST_CASE("matrix: missing, malformed and foreign credentials on every Messages route",
          "[twilio][badinput]") {
  Env env;
  auto& s = *env.server;
  struct AuthCase {
    std::string name;
    httplib::Headers headers;
  };
  const std::vector<AuthCase> cases = {
      {"no Authorization", {}},
      {"Basic without a colon", {{"Authorization", "Basic " + common::base64_encode(kAc)}}},
      {"Basic with bad base64", {{"Authorization", "Basic ***"}}},
      {"Basic with nothing", {{"Authorization", "Basic "}}},
      {"Bearer", {{"Authorization", "Bearer " + kToken}}},
      {"wrong token", basic(kAc, "a0000000000000000000000000000009")},
      {"empty token", basic(kAc, "")},
      {"huge username", basic(std::string(5900, 'A'), kToken)},
      {"SQL as the token", basic(kAc, "' OR 1=1 --")},
      {"SQL as the account", basic("' OR '1'='1", kToken)},
      {"the other account's credentials", basic(kOtherAc, kOtherToken)},
      {"the other account's SID with this token", basic(kOtherAc, kToken)},
      {"this SID with the other account's token", basic(kAc, kOtherToken)},
      {"an API key with a wrong secret", basic("SK00000000000000000000000000000001", "nope")},
      {"the test account's credentials",
       basic("AC00000000000000000000000000000003", "a0000000000000000000000000000003")},
  };
  std::size_t n = 0;
  for (const auto& route : of_kind(common::RouteKind::kVendor)) {
    for (const auto& c : cases) {
      INFO(route.method << " " << route.path << ": " << c.name);
      expect_refused(
          s,
          Req{std::string(route.method), mock::testing::route_path(route.path, {kAc, env.sid}),
              c.headers, reads_body(route) ? "Body=x" : "",
              reads_body(route) ? "application/x-www-form-urlencoded" : ""},
          kAuthenticate);
      ++n;
    }
  }
  CHECK(n == 5 * cases.size());
}

TEST_CASE("matrix: a header or request line over httplib's 8 KiB limit is 400/20400 or 414/20414",
          "[twilio][badinput]") {
  Env env;
  for (const auto& route : routes()) {
    const std::string path = mock::testing::route_path(route.path, {kAc, env.sid});
    INFO(route.method << " " << path);
    expect_refused(*env.server,
                   Req{std::string(route.method), path, basic(kAc, std::string(9000, 't')), "", ""},
                   {400, 20400, "Bad Request"});
    expect_refused(
        *env.server,
        Req{std::string(route.method), path + "?q=" + std::string(9000, 'q'), kAuth, "", ""},
        {414, 20414, "URI Too Long"});
  }
}

struct BadId {
  std::string wire;
  std::string decoded;
};
const std::vector<BadId> kBadIds = {
    {"..", ".."},
    {"%2e%2e", ".."},
    {"%27%20OR%201%3D1%20--", "' OR 1=1 --"},
    {"SM%22%3B%20DROP%20TABLE%20messages%3B%20--", "SM\"; DROP TABLE messages; --"},
    {"%25", "%"},
    {"*", "*"},
};

TEST_CASE("matrix: traversal and SQL metacharacters in the AccountSid and message SID",
          "[twilio][badinput]") {
  Env env;
  auto& s = *env.server;
  std::size_t n = 0;
  for (const auto& route : of_kind(common::RouteKind::kVendor)) {
    const bool has_sid = route.path.find("Messages/") != std::string_view::npos;
    const std::string body = reads_body(route) ? "Body=" : "";
    const std::string type = reads_body(route) ? "application/x-www-form-urlencoded" : "";
    for (const auto& bad : kBadIds) {
      INFO(route.method << " " << route.path << " AccountSid " << bad.wire);
      // A malformed AccountSid is an authentication failure (README: auth comes first).
      expect_refused(
          s,
          Req{std::string(route.method), mock::testing::route_path(route.path, {bad.wire, env.sid}),
              kAuth, body, type},
          kAuthenticate);
      ++n;
      if (!has_sid) continue;
      INFO(route.method << " " << route.path << " Sid " << bad.wire);
      const std::string decoded =
          "/2010-04-01/Accounts/" + kAc + "/Messages/" + bad.decoded + ".json";
      expect_refused(s,
                     Req{std::string(route.method),
                         mock::testing::route_path(route.path, {kAc, bad.wire}), kAuth, body, type},
                     {404, 20404, "The requested resource " + decoded + " was not found"});
      ++n;
    }
  }
  CHECK(n == (5 + 3) * kBadIds.size());
  // Encoded slashes leave the route.
  for (const char* traversal : {"..%2F..%2Fetc%2Fpasswd", "%2e%2e%2fAccounts"}) {
    const std::string path = "/2010-04-01/Accounts/" + kAc + "/Messages/" + traversal + ".json";
    expect_refused(
        s, Req{"GET", path, kAuth, "", ""},
        {404, 20404, "The requested resource " + common::url_decode(path) + " was not found"});
  }
}

TEST_CASE("matrix: bad bodies on CreateMessage and UpdateMessage", "[twilio][badinput]") {
  Env env;
  auto& s = *env.server;
  const std::string form = "application/x-www-form-urlencoded";
  const Expected too_large{413, 20413, "Request body exceeds the 1048576-byte limit"};
  const Expected bad_request{400, 20400, "Bad Request"};
  const Expected utf8_body{400, 20001, "Invalid Body: must be UTF-8 text"};
  struct BodyCase {
    std::string name;
    std::string body;
    std::string type;
    Expected create;
    Expected update;
  };
  const Expected no_to{400, 21604, "A 'To' phone number is required."};
  const Expected no_update{400, 20001, "Invalid request: Body or Status is required"};
  const Expected body_not_empty{400, 20001,
                                "Invalid Body: a message body can only be redacted (set to an "
                                "empty string)"};
  const std::vector<BodyCase> cases = {
      {"body over 1 MiB", "Body=" + std::string(1100000, 'a'), form, too_large, too_large},
      {"multipart without a boundary", "--x\r\n", "multipart/form-data", bad_request, bad_request},
      {"truncated multipart", "--b\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nx",
       "multipart/form-data; boundary=b", bad_request, bad_request},
      {"JSON", R"({"To": "+15550001111", "From": "+15557778888", "Body": "x"})", "application/json",
       no_to, no_update},
      {"malformed JSON", R"({"To": )", "application/json", no_to, no_update},
      {"100k unclosed JSON", std::string(100000, '['), "application/json", no_to, no_update},
      {"100k nested JSON", std::string(100000, '[') + std::string(100000, ']'), "application/json",
       no_to, no_update},
      {"100k nested JSON object", nested_object(100000), "application/json", no_to, no_update},
      {"XML", "<Message/>", "application/xml", no_to, no_update},
      {"form as text/plain", "To=%2B15550001111&From=%2B15557778888&Body=x", "text/plain", no_to,
       no_update},
      {"invalid UTF-8 in Body", "To=%2B15550001111&From=%2B15557778888&Body=%FF%FE", form,
       utf8_body, utf8_body},
      {"overlong UTF-8 in Body", "To=%2B15550001111&From=%2B15557778888&Body=%C0%AF", form,
       utf8_body, utf8_body},
      {"invalid UTF-8 in To",
       "To=%FF&From=%2B15557778888&Body=x",
       form,
       {400, 20001, "Invalid To: must be UTF-8 text"},
       {400, 20001, "Invalid To: must be UTF-8 text"}},
      {"empty strings",
       "To=&From=&Body=",
       form,
       no_to,
       {400, 20009, "Cannot redact this resource before it is complete"}},
      {"huge number as To",
       "To=18446744073709551616&From=%2B15557778888&Body=x",
       form,
       {400, 21211, "The 'To' number 18446744073709551616 is not a valid phone number."},
       body_not_empty},
      {"SQL as To",
       "To=%27%20OR%201%3D1%20--&From=%2B15557778888&Body=x",
       form,
       {400, 21211, "The 'To' number ' OR 1=1 -- is not a valid phone number."},
       body_not_empty},
      {"SQL as From",
       "To=%2B15550001111&From=%27%3B%20DROP%20TABLE%20messages%3B--&Body=x",
       form,
       {400, 21212,
        "The 'From' number '; DROP TABLE messages;-- is not a valid phone number, shortcode, or "
        "alphanumeric sender ID."},
       body_not_empty},
      {"SQL as Status",
       "Status=canceled%27%3B--",
       form,
       no_to,
       {400, 20001, "Invalid Status: 'canceled';--' is not one of canceled"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    expect_refused(s, Req{"POST", kMessages, kAuth, c.body, c.type}, c.create);
    expect_refused(s, Req{"POST", message_path(env.sid), kAuth, c.body, c.type}, c.update);
  }
}

TEST_CASE("SQL metacharacters and duplicate keys in a message are text stored verbatim",
          "[twilio][badinput]") {
  Env env;
  auto c = env.server->client();
  c->set_basic_auth(kAc.c_str(), kToken.c_str());
  const std::string sql = "Robert'); DROP TABLE messages; -- \" OR 1=1 /*";
  auto res =
      c->Post(kMessages.c_str(),
              "To=%2B15550001111&From=%2B15557778888&Body=" + common::form_encode_component(sql) +
                  "&Body=second",
              "application/x-www-form-urlencoded");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  const json created = json::parse(res->body);
  CHECK(created["body"] == sql);  // a repeated parameter: the first value counts
  res = c->Get((kMessages + "?To=" + common::form_encode_component("' OR 1=1 --")).c_str());
  REQUIRE(res);
  // An unparsable To filter matches nothing rather than everything.
  INFO(res->body);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body)["messages"].empty());
  res = c->Get(kMessages.c_str());
  REQUIRE(res);
  CHECK(json::parse(res->body)["messages"].size() == 2);
}

TEST_CASE("matrix: the /_mock/twilio JSON routes refuse malformed / nested / huge values",
          "[twilio][badinput]") {
  Env env;
  auto& s = *env.server;
  const std::string type = "application/json";
  const Expected not_object{400, 20001, "Invalid body: expected a JSON object"};
  std::size_t n = 0;
  for (const auto& route : of_kind(common::RouteKind::kInspection)) {
    if (!reads_body(route)) continue;
    const std::string path = mock::testing::route_path(route.path, {env.sid});
    for (const std::string& body :
         {std::string(R"({"mode": )"), std::string("[1]"), std::string(100000, '['),
          std::string(100000, '[') + std::string(100000, ']'), std::string(R"({"x": 1e400})"),
          std::string("{\"x\": \"\xff\"}")}) {
      INFO(route.method << " " << path << " " << body.substr(0, 40));
      expect_refused(s, Req{std::string(route.method), path, {}, body, type}, not_object);
      ++n;
    }
  }
  CHECK(n == 4 * 6);  // callback_options, lifecycle, advance, inbound
  const std::string big = "18446744073709551616";
  expect_refused(
      s, Req{"PUT", "/_mock/twilio/callback_options", {}, R"({"max_attempts": )" + big + "}", type},
      {400, 20001, "Invalid max_attempts: expected an integer from 0 to 10"});
  expect_refused(s,
                 Req{"PUT",
                     "/_mock/twilio/callback_options",
                     {},
                     R"({"backoff_ms": 18446744073709551615})",
                     type},
                 {400, 20001, "Invalid backoff_ms: expected an integer from 0 to 86400000"});
  expect_refused(s,
                 Req{"PUT", "/_mock/twilio/lifecycle", {}, R"({"delays_ms": {"sent": -1}})", type},
                 {400, 20001, "Invalid sent: expected an integer from 0 to 86400000"});
  expect_refused(s, Req{"PUT", "/_mock/twilio/lifecycle", {}, R"({"mode": "' OR 1=1 --"})", type},
                 {400, 20001, "Invalid mode: expected immediate, timed or manual"});
  expect_refused(s,
                 Req{"POST",
                     "/_mock/twilio/messages/" + env.sid + "/advance",
                     {},
                     R"({"status": "delivered", "error_code": 4294967297})",
                     type},
                 {400, 20001, "Invalid error_code: expected an integer"});
  expect_refused(s, Req{"POST", "/_mock/twilio/messages/%27%20OR%201%3D1/advance", {}, "{}", type},
                 {404, 20404,
                  "The requested resource /_mock/twilio/messages/' OR 1=1/advance was "
                  "not found"});
  expect_refused(s,
                 Req{"POST",
                     "/_mock/twilio/inbound",
                     {},
                     "From=%2B15550001111&To=%27%3B--&Body=hi",
                     "application/x-www-form-urlencoded"},
                 {400, 20001, "Invalid To: '';--' is not a phone number"});
}

TEST_CASE("matrix: the shared control plane's POST routes refuse bodies that are not a JSON object",
          "[twilio][badinput]") {
  Env env;  // manual clock: POST /_mock/clock reads its body
  std::size_t n = 0;
  for (const auto& route : of_kind(common::RouteKind::kControl)) {
    if (route.method != "POST") continue;
    for (const std::string& body :
         {std::string(R"({"seed": )"), std::string("[1]"), std::string(100000, '['),
          std::string(R"({"seed": 1e400})"), std::string("{\"fixture\": \"\xff\"}")}) {
      INFO(route.path << " " << body.substr(0, 40));
      const json before = stored(*env.server);
      auto res =
          send(*env.server, Req{"POST", std::string(route.path), {}, body, "application/json"});
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body) == json{{"error", {{"message", "body must be a JSON object"}}}});
      CHECK(stored(*env.server) == before);
      ++n;
    }
  }
  CHECK(n == 3 * 5);  // reset, clock, journal/export
}

}  // namespace
}  // namespace mock::twilio
