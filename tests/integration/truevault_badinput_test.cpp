// The bad-input matrix of mock_truevault (issue 7), table-driven over truevault::routes(): the
// route table the server itself registers, so a new route cannot skip it. Every route gets
// missing and malformed credentials, expired and revoked tokens, oversized headers, ids with
// path traversal and SQL metacharacters; every route that reads a body gets malformed,
// deeply nested and oversized bodies, wrong content types, invalid UTF-8, huge numbers,
// invalid base64 and RE2-refused policies. Each answer is TrueVault's error envelope with the
// expected status, code AND message; the server keeps answering; GET /_mock/state is the same
// before and after (nothing stored changed).

#include <functional>
#include <set>

#include "common/control_plane.hpp"
#include "common/route_info.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/permissions.hpp"
#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

struct Req {
  std::string method;
  std::string path;  // already percent-encoded where needed
  httplib::Headers headers;
  std::string body;
  std::string content_type;
};

httplib::Result send(const mock::testing::RunningService& s, const Req& r) {
  auto client = s.client();
  client->set_url_encode(false);  // paths are sent exactly as written
  client->set_read_timeout(10, 0);
  httplib::Request req;
  req.method = r.method;
  req.path = r.path;
  req.headers = r.headers;
  req.body = r.body;
  if (!r.content_type.empty()) req.set_header("Content-Type", r.content_type);
  return client->send(req);
}

std::string basic(const std::string& credential) {
  return "Basic " + common::base64_encode(credential + ":");
}

httplib::Headers auth(const std::string& credential) {
  return {{"Authorization", basic(credential)}};
}

json state_of(const mock::testing::RunningService& s) {
  auto res = s.client()->Get("/_mock/state");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return json::parse(res->body);
}

struct Expected {
  int status;
  std::string code;
  std::string message;
};

// Sends `r`, checks the envelope, that the server still answers and that nothing changed.
void expect_refused(const mock::testing::RunningService& s, const Req& r, const Expected& e) {
  const json before = state_of(s);
  auto res = send(s, r);
  INFO(r.method << " " << r.path.substr(0, 200) << " body " << r.body.substr(0, 120));
  REQUIRE(res);
  INFO("-> " << res->status << " " << res->body.substr(0, 400));
  CHECK(res->status == e.status);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  const json body = json::parse(res->body, nullptr, false);
  REQUIRE_FALSE(body.is_discarded());
  REQUIRE(body.is_object());
  CHECK(body.value("result", "") == "error");
  const json error = body.value("error", json::object());
  CHECK(error.value("code", "") == e.code);
  CHECK(error.value("type", "") == e.code);
  CHECK(error.value("message", "") == e.message);
  CHECK(body.value("transaction_id", json()).is_string());
  CHECK(state_of(s) == before);  // also proves the server still answers
}

bool is_group_route(std::string_view pattern) { return pattern.starts_with("/v1/groups"); }

// The path of `route` on valid, existing ids (the patient, the WRITE_ONLY group).
std::string valid_path(const common::RouteInfo& route) {
  return mock::testing::route_path(
      route.path, is_group_route(route.path) ? std::vector<std::string>{kWriteOnlyGroup, kPatientId}
                                             : std::vector<std::string>{kPatientId});
}

bool has_id(const common::RouteInfo& route) {
  return route.path.find("([^/]+)") != std::string_view::npos;
}

// logout is a POST without a body: it reads nothing.
bool reads_body(const common::RouteInfo& route) {
  return (route.method == "POST" || route.method == "PUT") && route.handler != "logout";
}

std::vector<common::RouteInfo> vendor_routes() {
  std::vector<common::RouteInfo> out;
  for (const auto& r : routes()) {
    if (r.kind == common::RouteKind::kVendor) out.push_back(r);
  }
  return out;
}

const Expected kMissing{401, "AUTH.UNAUTHORIZED", errors::missing_credentials().message};
const Expected kInvalid{401, "AUTH.INVALID_CREDENTIALS", "Invalid API key or access token"};
const Expected kInvalidJson{400, "REQUEST.INVALID_JSON", "Request body must be a JSON object"};
const Expected kTooLarge{413, "REQUEST.TOO_LARGE", "Request body is too large"};
const Expected kTooDeep{400, "REQUEST.INVALID_JSON",
                        "Request body must be a JSON object nested at most 64 levels deep"};

TEST_CASE("every served route is in the route table and every vendor route has a rule",
          "[truevault][badinput][routes]") {
  std::set<std::string> operations;
  for (const auto& rule : endpoint_rules()) operations.insert(std::string(rule.operation));
  std::set<std::string> served;
  std::size_t inspection = 0;
  std::size_t control = 0;
  for (const auto& r : routes()) {
    INFO(r.method << " " << r.path << " " << r.handler);
    switch (r.kind) {
      case common::RouteKind::kVendor:
        // A vendor route is authorized by a rule of the same operation and method.
        CHECK(operations.count(std::string(r.handler)) == 1);
        CHECK(std::any_of(endpoint_rules().begin(), endpoint_rules().end(), [&](const auto& e) {
          return e.operation == r.handler && e.method == r.method;
        }));
        served.insert(std::string(r.handler));
        break;
      case common::RouteKind::kInspection:
        CHECK(r.path.starts_with("/_mock/"));
        ++inspection;
        break;
      case common::RouteKind::kControl:
        CHECK(r.path.starts_with("/_mock/"));
        ++control;
        break;
    }
  }
  CHECK(served == operations);  // and every rule's operation is served
  CHECK(inspection == 2);
  CHECK(control == common::control_plane_routes().size());
}

TEST_CASE("matrix: missing / malformed / unknown / expired / revoked credentials on every route",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  // An expired token (one minute, then the manual clock moves two) and a revoked one.
  auto minted = call_form(s, "POST", std::string("/v1/users/") + kReadonlyId + "/access_token",
                          kAdminKey, {{"not_valid_after", "2026-01-01T00:01:00.000Z"}});
  expect_success(minted);
  const std::string expired = minted.body["user"]["access_token"];
  REQUIRE(
      s.client()->Post("/_mock/clock", R"({"advance_seconds": 120})", "application/json")->status ==
      200);
  auto login = call_form(
      s, "POST", "/v1/auth/login", "",
      {{"account_id", kAccount}, {"username", "readonly"}, {"password", "readonly-password"}});
  expect_success(login);
  const std::string revoked = login.body["user"]["access_token"];
  expect_success(call(s, "POST", "/v1/auth/logout", revoked));

  struct AuthCase {
    std::string name;
    httplib::Headers headers;
    Expected expected;
  };
  const std::string huge_credential(5900, 'k');  // the header line stays under 8 KiB
  const std::vector<AuthCase> cases = {
      {"no Authorization", {}, kMissing},
      {"Basic without a colon",
       {{"Authorization", "Basic " + common::base64_encode("nocolon")}},
       kMissing},
      {"Basic with bad base64", {{"Authorization", "Basic !!not*base64!!"}}, kMissing},
      {"Basic with nothing", {{"Authorization", "Basic "}}, kMissing},
      {"Bearer scheme", {{"Authorization", std::string("Bearer ") + kAdminKey}}, kMissing},
      {"empty username", {{"Authorization", basic("")}}, kMissing},
      {"huge Basic credential", auth(huge_credential), kInvalid},
      {"unknown key", auth("00000000-0000-4000-a000-00000000dead"), kInvalid},
      {"SQL in the credential", auth("' OR 1=1 --"), kInvalid},
      {"key with a password (scoped token)",
       {{"Authorization", "Basic " + common::base64_encode(std::string(kAdminKey) + ":secret")}},
       {401, "AUTH.UNAUTHORIZED", errors::scoped_tokens_unsupported().message}},
      {"expired access token",
       auth(expired),
       {401, "AUTH.TOKEN_EXPIRED", "Access token has expired"}},
      {"revoked access token",
       auth(revoked),
       {401, "AUTH.TOKEN_REVOKED", "Access token is no longer valid (logged out)"}},
  };
  std::size_t n = 0;
  for (const auto& route : vendor_routes()) {
    if (route.handler == "login") continue;  // the one endpoint without credentials
    for (const auto& c : cases) {
      INFO(route.method << " " << route.path << ": " << c.name);
      // A valid body, so only the credential is wrong.
      expect_refused(s,
                     Req{std::string(route.method), valid_path(route), c.headers,
                         reads_body(route) ? "username=x&name=y" : "",
                         reads_body(route) ? "application/x-www-form-urlencoded" : ""},
                     c.expected);
      ++n;
    }
  }
  CHECK(n == (vendor_routes().size() - 1) * cases.size());
}

TEST_CASE("matrix: a header or request line over httplib's 8 KiB limit is a clear 400/414",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  for (const auto& route : vendor_routes()) {
    INFO(route.method << " " << route.path);
    expect_refused(
        *env.tv,
        Req{std::string(route.method), valid_path(route), auth(std::string(9000, 'k')), "", ""},
        {400, "REQUEST.INVALID_PARAMETER",
         "Invalid request: malformed HTTP request (bad request line, or a header "
         "line over 8192 bytes)"});
    expect_refused(
        *env.tv,
        Req{std::string(route.method), valid_path(route) + "?q=" + std::string(9000, 'q'),
            auth(kAdminKey), "", ""},
        {414, "REQUEST.INVALID_PARAMETER", "Invalid request: the request line is over 8192 bytes"});
  }
}

// Ids that are not ids: traversal, encoded traversal, SQL. `decoded` is what the server sees.
struct BadId {
  std::string wire;
  std::string decoded;
};
const std::vector<BadId> kBadIds = {
    {"..", ".."},
    {"%2e%2e", ".."},
    {".%2E", ".."},
    {"%27%20OR%201%3D1%20--", "' OR 1=1 --"},
    {"x%22%3B%20DROP%20TABLE%20users%3B%20--", "x\"; DROP TABLE users; --"},
    {"%25", "%"},
    {"*", "*"},
    {"00000000-0000-4000-a000-000000000101%00",
     std::string("00000000-0000-4000-a000-000000000101") + '\0'},
};

TEST_CASE("matrix: traversal and SQL metacharacters in every id are unknown ids (404)",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  std::size_t n = 0;
  for (const auto& route : vendor_routes()) {
    if (!has_id(route)) continue;
    const bool group = is_group_route(route.path);
    const std::size_t captures =
        group && route.path.find("membership/") != std::string::npos ? 2 : 1;
    for (std::size_t which = 0; which < captures; ++which) {
      for (const auto& bad : kBadIds) {
        std::vector<std::string> ids = group ? std::vector<std::string>{kWriteOnlyGroup, kPatientId}
                                             : std::vector<std::string>{kPatientId};
        ids[which] = bad.wire;
        INFO(route.method << " " << route.path << " capture " << which << " = " << bad.wire);
        const bool bad_group = group && which == 0;
        Expected e =
            bad_group ? Expected{404, "GROUP.NOT_FOUND", "Group " + bad.decoded + " does not exist"}
                      : Expected{404, "USER.NOT_FOUND", "User " + bad.decoded + " does not exist"};
        std::string body;
        std::string type;
        if (route.handler == "send_sms") {
          body = R"({"provider": "TWILIO"})";
          type = "application/json";
        } else if (route.handler == "add_users_to_group") {
          body = json{{"user_ids", {kPatientId}}}.dump();
          type = "application/json";
        } else if (route.handler == "update_user") {
          body = "status=LOCKED";
          type = "application/x-www-form-urlencoded";
        } else if (route.handler == "update_group") {
          body = "name=renamed";
          type = "application/x-www-form-urlencoded";
        }
        expect_refused(s,
                       Req{std::string(route.method), mock::testing::route_path(route.path, ids),
                           auth(kAdminKey), body, type},
                       e);
        ++n;
      }
    }
  }
  CHECK(n >= 13 * kBadIds.size());
  // Encoded slashes leave the route: no endpoint, never a file.
  for (const char* traversal :
       {"..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5C..%5Cwindows"}) {
    const std::string decoded = common::url_decode(traversal);
    expect_refused(
        s, Req{"GET", std::string("/v1/users/") + traversal, auth(kAdminKey), "", ""},
        decoded.find('/') != std::string::npos
            ? Expected{404, "REQUEST.NOT_FOUND", "No such endpoint: GET /v1/users/" + decoded}
            : Expected{404, "USER.NOT_FOUND", "User " + decoded + " does not exist"});
  }
}

// What each body-reading route answers when the body carries no usable field.
Expected no_fields_error(std::string_view handler) {
  if (handler == "login")
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: account_id"};
  if (handler == "update_current_user") {
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: attributes"};
  }
  if (handler == "create_user") {
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: username"};
  }
  if (handler == "create_group") {
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: name"};
  }
  if (handler == "add_users_to_group") {
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: user_ids"};
  }
  if (handler == "search_users") {
    return {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: search_option"};
  }
  if (handler == "send_sms") return kInvalidJson;
  return {0, "", ""};  // every field optional: an empty update
}

std::string b64_text(const std::string& text) { return common::base64_encode(text); }

std::string nested(std::size_t depth, bool closed) {
  std::string out(depth, '[');
  if (closed) out += std::string(depth, ']');
  return out;
}

TEST_CASE("matrix: malformed / nested / oversized / mistyped bodies on every body route",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  struct BodyCase {
    std::string name;
    std::string body;
    std::string type;
    std::function<Expected(std::string_view)> expected;
  };
  const auto invalid_json = [](std::string_view) { return kInvalidJson; };
  const auto too_large = [](std::string_view) { return kTooLarge; };
  const auto too_deep = [](std::string_view) { return kTooDeep; };
  const auto no_fields = [](std::string_view h) { return no_fields_error(h); };
  const auto malformed_body = [](std::string_view h) {
    return h == "send_sms"
               ? kInvalidJson
               : Expected{400, "REQUEST.INVALID_PARAMETER", "Invalid body: malformed request body"};
  };
  const std::vector<BodyCase> cases = {
      {"truncated JSON", R"({"username": "a", )", "application/json", invalid_json},
      {"JSON array", R"(["username"])", "application/json", invalid_json},
      {"JSON string", R"("username")", "application/json", invalid_json},
      {"JSON with a trailing comma", R"({"username": "a",})", "application/json", invalid_json},
      {"JSON with a comment", "{/* c */}", "application/json", invalid_json},
      {"JSON with invalid UTF-8", "{\"username\": \"\xff\xfe\"}", "application/json", invalid_json},
      {"JSON with an overlong UTF-8 '/'", "{\"username\": \"\xc0\xaf\"}", "application/json",
       invalid_json},
      {"JSON number 1e400", R"({"username": 1e400})", "application/json", invalid_json},
      {"JSON 100k unclosed [", nested(100000, false), "application/json", too_deep},
      {"JSON 100k nested arrays", nested(100000, true), "application/json", too_deep},
      {"JSON 100k nested in a field", "{\"username\": " + nested(100000, true) + "}",
       "application/json", too_deep},
      {"JSON 65 levels in a field", "{\"username\": " + nested(64, true) + "}", "application/json",
       too_deep},
      {"body over 1 MiB (form)", "username=" + std::string(1100000, 'a'),
       "application/x-www-form-urlencoded", too_large},
      {"body over 1 MiB (JSON)", "{\"username\": \"" + std::string(1100000, 'a') + "\"}",
       "application/json", too_large},
      {"multipart without a boundary", "--x\r\n", "multipart/form-data", malformed_body},
      {"truncated multipart", "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx",
       "multipart/form-data; boundary=b", malformed_body},
      {"form sent as text/plain", "username=x&name=y&account_id=z", "text/plain", no_fields},
      {"XML", "<user><username>x</username></user>", "application/xml", no_fields},
      {"octet-stream", std::string("\x00\x01\xff", 3), "application/octet-stream", no_fields},
      {"empty form", "", "application/x-www-form-urlencoded", no_fields},
  };
  std::size_t n = 0;
  for (const auto& route : vendor_routes()) {
    if (!reads_body(route)) continue;
    const std::string credential = route.handler == "login" ? "" : kAdminKey;
    for (const auto& c : cases) {
      Expected e = c.expected(route.handler);
      if (e.status == 0) continue;  // nothing required: see "optional fields" below
      if (route.handler == "send_sms" && c.type.starts_with("application/x-www") &&
          e.code == "REQUEST.MISSING_PARAMETER") {
        e = kInvalidJson;
      }
      INFO(route.method << " " << route.path << ": " << c.name);
      expect_refused(
          s,
          Req{std::string(route.method), valid_path(route),
              credential.empty() ? httplib::Headers{} : auth(credential), c.body, c.type},
          e);
      ++n;
    }
  }
  CHECK(n > 80);
  // The journal holds every refused request and still answers, and exports.
  // A journal of ~1000 refused requests is ~5.6 MB of JSON: under TSan on a loaded machine
  // that alone can take seconds, so these two reads may wait longer than the harness's 5 s.
  auto c = s.client();
  c->set_read_timeout(60);
  auto journal = c->Get("/_mock/journal");
  REQUIRE(journal);
  CHECK(journal->status == 200);
  auto exported = c->Post("/_mock/journal/export", "{}", "application/json");
  REQUIRE(exported);
  CHECK(exported->status == 200);
}

TEST_CASE("matrix: the same bad bodies on routes whose fields are all optional",
          "[truevault][badinput]") {
  // update_user and update_group with no usable field change nothing; the key and token
  // routes need no field and mint a credential, so only unreadable bodies are refused there.
  TrueVaultOnly env;
  auto& s = *env.tv;
  for (const auto& route : vendor_routes()) {
    if (!reads_body(route) || no_fields_error(route.handler).status != 0) continue;
    INFO(route.method << " " << route.path);
    expect_refused(s,
                   Req{std::string(route.method), valid_path(route), auth(kAdminKey),
                       R"({"name": )", "application/json"},
                   kInvalidJson);
    expect_refused(s,
                   Req{std::string(route.method), valid_path(route), auth(kAdminKey),
                       nested(100000, false), "application/json"},
                   kTooDeep);
    expect_refused(s,
                   Req{std::string(route.method), valid_path(route), auth(kAdminKey),
                       "name=" + std::string(1100000, 'a'), "application/x-www-form-urlencoded"},
                   kTooLarge);
    expect_refused(s,
                   Req{std::string(route.method), valid_path(route), auth(kAdminKey), "--x\r\n",
                       "multipart/form-data"},
                   {400, "REQUEST.INVALID_PARAMETER", "Invalid body: malformed request body"});
  }
}

TEST_CASE("matrix: field values (base64 / UTF-8 / empty / huge numbers / RE2 / SQL)",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  const std::string form = "application/x-www-form-urlencoded";
  const std::string json_type = "application/json";
  const std::string user = std::string("/v1/users/") + kPatientId;
  const std::string group = std::string("/v1/groups/") + kWriteOnlyGroup;
  const auto admin = auth(kAdminKey);
  const Expected bad_attributes{400, "REQUEST.INVALID_BASE64",
                                "attributes must be base64-encoded JSON"};
  const Expected bad_policy{400, "REQUEST.INVALID_BASE64", "policy must be base64-encoded JSON"};
  const Expected utf8{400, "REQUEST.INVALID_PARAMETER",
                      "Invalid body: field values must be UTF-8 text"};
  struct FieldCase {
    std::string method;
    std::string path;
    std::string body;
    std::string type;
    Expected expected;
  };
  const std::string re2_backref =
      b64(json::array({{{"Resources", {"User::(a)\\1"}}, {"Activities", "R"}}}));
  const std::string re2_lookahead =
      b64(json::array({{{"Resources", {"User::(?=x)"}}, {"Activities", "R"}}}));
  const std::vector<FieldCase> cases = {
      // invalid base64 / not JSON inside the base64
      {"POST", "/v1/users", "username=b64%40x&attributes=!!!", form, bad_attributes},
      {"POST", "/v1/users", "username=b64%40x&attributes=aGVsbG8%3D", form, bad_attributes},
      {"PUT", user, "attributes=%%%%", form, bad_attributes},
      {"PUT",
       "/v1/auth/me",
       "attributes=e30",
       form,
       {0, "", ""}},  // lenient: missing padding is fine (checked below as a success)
      {"PUT", "/v1/auth/me", "attributes=", form, bad_attributes},
      {"POST", "/v1/groups", "name=g-b64&policy=not-base64!", form, bad_policy},
      {"PUT", group, "policy=W3si", form, bad_policy},
      // base64 of JSON nested too deep (stored documents are dumped recursively)
      {"PUT",
       user,
       "attributes=" + common::form_encode_component(b64_text(nested(65, true))),
       form,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid attributes: JSON nested more than 64 levels deep"}},
      {"PUT",
       user,
       "attributes=" + common::form_encode_component(b64_text(nested(100000, true))),
       form,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid attributes: JSON nested more than 64 levels deep"}},
      {"POST",
       "/v1/groups",
       "name=deep&policy=" + common::form_encode_component(b64_text(nested(100000, false))),
       form,
       {400, "REQUEST.INVALID_PARAMETER", "Invalid policy: JSON nested more than 64 levels deep"}},
      {"PUT",
       user,
       "attributes=" + common::form_encode_component(b64_text(nested(64, true))),
       form,
       {0, "", ""}},  // 64 levels are fine
      // search_option: not base64, too deep, a number past uint64, SQL text
      {"POST",
       "/v1/users/search",
       "search_option=!!!",
       form,
       {400, "REQUEST.INVALID_BASE64", "search_option must be base64-encoded JSON"}},
      {"POST",
       "/v1/users/search",
       "search_option=" + common::form_encode_component(b64_text(nested(100000, true))),
       form,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid search_option: JSON nested more than 64 levels deep"}},
      {"POST",
       "/v1/users/search",
       R"({"search_option": {"page": 18446744073709551616}})",
       json_type,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid search_option: page must be an integer from 1 to 1000000000"}},
      {"POST",
       "/v1/users/search",
       "search_option=" +
           common::form_encode_component(b64(json{
               {"filter", {{"x'); DROP TABLE users; --", {{"type", "eq"}, {"value", "' OR 1=1"}}}}},
               {"sort", {{{"$tv.id; DELETE", "asc"}}}},
               {"per_page", 1e300}})),
       form,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid search_option: per_page must be an integer from 1 to 500"}},
      // RE2 refuses back-references and look-around
      {"POST",
       "/v1/groups",
       "name=g-re2&policy=" + common::form_encode_component(re2_backref),
       form,
       {400, "GROUP.INVALID_POLICY",
        "Invalid policy: statement 0: resource matcher 'User::(a)\\1' is not a valid RE2 regular "
        "expression: invalid escape sequence: \\1"}},
      {"PUT",
       group,
       "policy=" + common::form_encode_component(re2_lookahead),
       form,
       {400, "GROUP.INVALID_POLICY",
        "Invalid policy: statement 0: resource matcher 'User::(?=x)' is not a valid RE2 regular "
        "expression: invalid perl operator: (?="}},
      {"POST",
       "/v1/groups",
       json{{"name", "g-obj"}, {"policy", {{"Resources", "x"}}}}.dump(),
       json_type,
       {400, "GROUP.INVALID_POLICY", "Invalid policy: must be a JSON array of statements"}},
      // invalid UTF-8 in form fields (JSON bodies with it are not JSON at all)
      {"POST", "/v1/users", "username=%FF%FE", form, utf8},
      {"PUT", user, "username=%C0%AF", form, utf8},
      {"POST", "/v1/groups", "name=%ED%A0%80", form, utf8},
      {"POST", "/v1/auth/login",
       std::string("account_id=") + kAccount + "&username=readonly&password=%FF", form, utf8},
      // empty strings
      {"POST",
       "/v1/users",
       "username=",
       form,
       {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: username"}},
      {"POST",
       "/v1/groups",
       "name=",
       form,
       {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: name"}},
      {"POST",
       "/v1/auth/login",
       "account_id=&username=&password=",
       form,
       {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: account_id"}},
      {"POST",
       group + "/membership",
       R"({"user_ids": []})",
       json_type,
       {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: user_ids"}},
      {"POST",
       group + "/membership",
       R"({"user_ids": ""})",
       json_type,
       {400, "REQUEST.MISSING_PARAMETER", "Missing required parameter: user_ids"}},
      {"PUT",
       user,
       "status=",
       form,
       {400, "USER.INVALID_STATUS", "Invalid status '': expected ACTIVATED, PENDING or LOCKED"}},
      {"PUT", group, "operation=APPEND&user_ids=", form, {0, "", ""}},  // appending nothing is a
                                                                        // no-op (checked below)
      // huge numbers
      {"POST",
       user + "/access_token",
       R"({"not_valid_after": 18446744073709551616})",
       json_type,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid not_valid_after: must be an ISO-8601 time such as 2026-01-01T12:00:00.000Z"}},
      {"POST",
       user + "/access_token",
       "not_valid_after=99999999999-01-01",
       form,
       {400, "REQUEST.INVALID_PARAMETER",
        "Invalid not_valid_after: must be an ISO-8601 time such as 2026-01-01T12:00:00.000Z"}},
      {"PUT",
       user,
       R"({"status": 18446744073709551615})",
       json_type,
       {400, "USER.INVALID_STATUS",
        "Invalid status '18446744073709551615': expected ACTIVATED, PENDING or LOCKED"}},
      {"POST",
       group + "/membership",
       R"({"user_ids": [1e308]})",
       json_type,
       {400, "REQUEST.INVALID_PARAMETER", "Invalid user_ids: must be an array of ids"}},
      {"POST",
       user + "/message/sms",
       R"({"provider": 18446744073709551616})",
       json_type,
       {400, "REQUEST.INVALID_PARAMETER", "Invalid provider: must be a string"}},
      // statuses and operations that are not one of the values
      {"POST",
       "/v1/users",
       "username=st%40x&status=DEACTIVATED",
       form,
       {400, "USER.INVALID_STATUS",
        "Invalid status 'DEACTIVATED': expected ACTIVATED, PENDING or LOCKED"}},
      {"PUT",
       group,
       "operation=DROP%20TABLE&user_ids=x",
       form,
       {400, "GROUP.INVALID_OPERATION",
        "Invalid operation 'DROP TABLE': expected APPEND or REMOVE"}},
      // SQL metacharacters in credentials and lookups
      {"POST",
       "/v1/auth/login",
       "account_id=%27%20OR%201%3D1%20--&username=%27%20OR%20%271%27%3D%271&password=%27%3B%20--",
       form,
       {401, "AUTH.INVALID_CREDENTIALS", "Invalid account_id, username or password"}},
      {"POST",
       "/v1/users",
       "username=sqlgroup%40x&group_ids=%27%20OR%201%3D1%20--",
       form,
       {404, "GROUP.NOT_FOUND", "Group ' OR 1=1 -- does not exist"}},
      {"POST",
       "/v1/groups",
       "name=g-sql&user_ids=%27%3B%20DELETE%20FROM%20users%3B%20--",
       form,
       {404, "USER.NOT_FOUND", "User '; DELETE FROM users; -- does not exist"}},
  };
  for (const auto& c : cases) {
    INFO(c.method << " " << c.path << " " << c.body);
    if (c.expected.status == 0) {
      auto r = call(s, c.method, c.path, kAdminKey, c.body, c.type);
      expect_success(r);
      continue;
    }
    expect_refused(s, Req{c.method, c.path, admin, c.body, c.type}, c.expected);
  }
  // The journal recorded the deep documents and still exports them (as text); a slow read
  // under TSan may take longer than the harness's 5 s.
  auto c = s.client();
  c->set_read_timeout(60);
  auto exported = c->Post("/_mock/journal/export", "{}", "application/json");
  REQUIRE(exported);
  CHECK(exported->status == 200);
}

TEST_CASE("SQL metacharacters and duplicate keys are plain text stored verbatim",
          "[truevault][badinput]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  const std::string sql = "Robert'); DROP TABLE users; -- \" OR 1=1 /*";
  const auto before = call(s, "GET", "/v1/users", kAdminKey);
  expect_success(before);

  auto created = call_form(
      s, "POST", "/v1/users?full=true", kAdminKey,
      {{"username", sql}, {"password", sql}, {"attributes", b64(json{{"note", sql}, {sql, 1}})}});
  expect_success(created);
  CHECK(created.body["user"]["username"] == sql);
  const std::string id = created.body["user"]["id"];
  auto read = call(s, "GET", "/v2/users/" + id + "?full=true", kAdminKey);
  expect_success(read);
  CHECK(read.body["users"][0]["attributes"] == json{{"note", sql}, {sql, 1}});
  // The password works as written, and only as written.
  expect_success(call_form(s, "POST", "/v1/auth/login", "",
                           {{"account_id", kAccount}, {"username", sql}, {"password", sql}}));
  auto group = call_form(s, "POST", "/v1/groups", kAdminKey,
                         {{"name", sql}, {"policy", b64(json::array())}, {"user_ids", id}});
  expect_success(group);
  CHECK(group.body["group"]["name"] == sql);

  // Every other user is still there, unchanged.
  auto after = call(s, "GET", "/v1/users", kAdminKey);
  expect_success(after);
  CHECK(after.body["users"].size() == before.body["users"].size() + 1);
  for (const auto& u : before.body["users"]) {
    CHECK(std::count(after.body["users"].begin(), after.body["users"].end(), u) == 1);
  }

  // Duplicate keys: a form's first value wins (Flask's request.values.get), a JSON body's
  // last (Python's json.loads); neither is an error.
  auto dup_form = call(s, "POST", "/v1/users", kAdminKey, "username=first%40x&username=second%40x",
                       "application/x-www-form-urlencoded");
  expect_success(dup_form);
  CHECK(dup_form.body["user"]["username"] == "first@x");
  auto dup_json = call(s, "POST", "/v1/users", kAdminKey,
                       R"({"username": "one@x", "username": "two@x"})", "application/json");
  expect_success(dup_json);
  CHECK(dup_json.body["user"]["username"] == "two@x");
}

}  // namespace
}  // namespace mock::truevault::testing
