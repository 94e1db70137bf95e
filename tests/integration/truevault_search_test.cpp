// POST /v1/users/search (truevault-api.md §4.10) over HTTP: the guide's example verbatim, every
// filter type on system fields and attributes, or/and, paging info, sort, full_document, the
// request encodings, DEACTIVATED users, cross-account isolation, authorization (R on the
// literal User::.*), bad search options, and created_at from a fixture.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "mock_truevault/domain/errors.hpp"
#include "tests/integration/truevault_test_support.hpp"

namespace mock::truevault::testing {
namespace {

using nlohmann::json;

Reply search(const mock::testing::RunningService& s, const json& option,
             const std::string& key = kAdminKey) {
  return call_form(s, "POST", "/v1/users/search", key, {{"search_option", b64(option)}});
}

// The ids of a successful search, in order.
std::vector<std::string> ids_of(const Reply& r) {
  INFO(r.body.dump());
  expect_success(r);
  std::vector<std::string> out;
  for (const auto& d : r.body["data"]["documents"]) out.push_back(d["id"]);
  return out;
}

json info_of(const Reply& r) { return r.body["data"]["info"]; }

void set_clock(const mock::testing::RunningService& s, const std::string& now) {
  auto res = s.client()->Post("/_mock/clock", json{{"now", now}}.dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
}

std::string create(const mock::testing::RunningService& s, const std::string& username,
                   const json& attributes = json::object(), const std::string& status = "") {
  std::vector<common::Form::Field> fields = {{"username", username},
                                             {"attributes", b64(attributes)}};
  if (!status.empty()) fields.emplace_back("status", status);
  auto r = call_form(s, "POST", "/v1/users", kAdminKey, fields);
  REQUIRE(r.status == 200);
  return r.body["user"]["id"];
}

// Four users created in 2017 on top of the default fixture (whose four HealthCo users are
// created at the load time, 2026-01-01, the manual clock's start). Default order: alice, bob,
// carol, dave, then admin, notifier, readonly, patient.
struct People {
  explicit People(const mock::testing::RunningService& s) {
    set_clock(s, "2017-02-01T00:00:00.000Z");
    alice =
        create(s, "alice@truevault.com",
               {{"name", "Alice"}, {"age", 34}, {"vip", true}, {"team", "red"}, {"note", nullptr}});
    set_clock(s, "2017-02-02T00:00:00.000Z");
    bob = create(s, "bob@example.com",
                 {{"name", "bob"}, {"age", 17}, {"vip", false}, {"team", "Blue"}});
    set_clock(s, "2017-04-01T00:00:00.000Z");
    carol = create(s, "carol@TrueVault.com", {{"name", "Carol"}, {"age", "34"}, {"team", "red"}});
    set_clock(s, "2017-05-01T00:00:00.000Z");
    dave = create(s, "dave@other.org", json::object(), "LOCKED");
  }
  std::string alice, bob, carol, dave;
  const std::string admin = kAdminId;
  const std::string notifier = kNotifierId;
  const std::string readonly = kReadonlyId;
  const std::string patient = kPatientId;
};

using Ids = std::vector<std::string>;

json filter(const std::string& field, const std::string& type, const json& value,
            std::optional<bool> case_sensitive = std::nullopt) {
  json spec = {{"type", type}, {"value", value}};
  if (case_sensitive) spec["case_sensitive"] = *case_sensitive;
  return {{"filter", {{field, spec}}}};
}

TEST_CASE("search: the guide's example, verbatim (filter_type defaults to or)",
          "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  const json guide = json::parse(
      R"({"full_document": true, "filter": {"$tv.username": {"type": "wildcard", "value": "*@truevault.com"},
  "$tv.created_at": {"type": "range", "value": {"gte": "2017-01-01", "lt": "2017-03-31"}}}})");
  auto r = search(s, guide);
  // alice matches both, carol the username (case-insensitive), bob the dates.
  CHECK(ids_of(r) == Ids{p.alice, p.bob, p.carol});
  CHECK(info_of(r) ==
        json{{"current_page", 1}, {"num_pages", 1}, {"per_page", 100}, {"total_result_count", 3}});
  const auto& docs = r.body["data"]["documents"];
  CHECK(docs[0].size() == 2);  // id and attributes only
  CHECK(json::parse(common::base64_decode(docs[0]["attributes"].get<std::string>()).value()) ==
        json{{"name", "Alice"}, {"age", 34}, {"vip", true}, {"team", "red"}, {"note", nullptr}});
  CHECK(r.body.size() == 3);  // data, result, transaction_id
  // As the guide's curl sends it: -d 'search_option=<b64>' (not form-encoded; this base64 has
  // no '+' or '/', only its '=' padding).
  const std::string text =
      R"({"full_document": true, "filter": {"$tv.username": {"type": "wildcard", "value": "*@truevault.com"}, "$tv.created_at": {"type": "range", "value": {"gte": "2017-01-01", "lt": "2017-03-31"}}}})";
  const std::string encoded = common::base64_encode(text);
  REQUIRE(encoded.find_first_of("+/") == std::string::npos);
  auto curl = call(s, "POST", "/v1/users/search", kAdminKey, "search_option=" + encoded,
                   "application/x-www-form-urlencoded");
  CHECK(ids_of(curl) == Ids{p.alice, p.bob, p.carol});
  CHECK(curl.body["data"] == r.body["data"]);
  // The same filters with "and": only alice.
  json both = guide;
  both["filter_type"] = "and";
  CHECK(ids_of(search(s, both)) == Ids{p.alice});
}

TEST_CASE("search: system fields, every filter type", "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  // eq is case-insensitive unless case_sensitive is true.
  CHECK(ids_of(search(s, filter("$tv.username", "eq", "ALICE@truevault.com"))) == Ids{p.alice});
  CHECK(ids_of(search(s, filter("$tv.username", "eq", "ALICE@truevault.com", true))).empty());
  CHECK(ids_of(search(s, filter("$tv.username", "eq", "alice@truevault.com", true))) ==
        Ids{p.alice});
  // in / not_in
  CHECK(ids_of(search(s, filter("$tv.id", "in", {p.dave, "no-such-id", p.bob}))) ==
        Ids{p.bob, p.dave});
  CHECK(ids_of(search(s, filter("$tv.id", "in", {p.bob}, true))) == Ids{p.bob});
  CHECK(ids_of(search(
            s, filter("$tv.username", "not_in", {"alice@truevault.com", "BOB@example.com"}))) ==
        Ids{p.carol, p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, filter("$tv.id", "in", json::array()))).empty());
  // not; status compares case-insensitively too
  CHECK(ids_of(search(s, filter("$tv.status", "not", "activated"))) == Ids{p.dave});
  CHECK(ids_of(search(s, filter("$tv.status", "eq", "locked"))) == Ids{p.dave});
  CHECK(ids_of(search(s, filter("$tv.status", "eq", "locked", true))).empty());
  // wildcard
  CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "*@TRUEVAULT.COM"))) ==
        Ids{p.alice, p.carol});
  CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "*@TrueVault.com", true))) ==
        Ids{p.carol});
  CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "*@*.ORG"))) == Ids{p.dave});
  CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "*"))).size() == 8);
  // range: created_at by instant (date-only = midnight UTC), text by (case-folded) order
  CHECK(ids_of(search(s, filter("$tv.created_at", "range",
                                {{"gte", "2017-02-02"}, {"lte", "2017-04-01T00:00:00.000Z"}}))) ==
        Ids{p.bob, p.carol});
  CHECK(ids_of(search(s, filter("$tv.created_at", "range", {{"gt", "2017-04-01"}}))) ==
        Ids{p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, filter("$tv.created_at", "eq", "2017-02-01T00:00:00Z"))) == Ids{p.alice});
  CHECK(ids_of(search(s, filter("$tv.username", "range", {{"gte", "B"}, {"lt", "d"}}))) ==
        Ids{p.bob, p.carol});
  // SQL metacharacters are plain text
  CHECK(ids_of(search(s, filter("$tv.username", "eq", "' OR 1=1 --"))).empty());
}

TEST_CASE("search: attribute fields match by JSON type; not matches users without the field",
          "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  CHECK(ids_of(search(s, filter("name", "eq", "alice"))) == Ids{p.alice});
  CHECK(ids_of(search(s, filter("name", "eq", "alice", true))).empty());
  CHECK(ids_of(search(s, filter("age", "eq", 34))) == Ids{p.alice});    // not carol's "34"
  CHECK(ids_of(search(s, filter("age", "eq", "34"))) == Ids{p.carol});  // not alice's 34
  CHECK(ids_of(search(s, filter("age", "eq", 34.0))) == Ids{p.alice});  // 34.0 == 34
  CHECK(ids_of(search(s, filter("vip", "eq", true))) == Ids{p.alice});
  CHECK(ids_of(search(s, filter("vip", "eq", false))) == Ids{p.bob});
  CHECK(ids_of(search(s, filter("vip", "eq", 1))).empty());  // true is not 1
  CHECK(ids_of(search(s, filter("note", "eq", nullptr))) == Ids{p.alice});
  CHECK(ids_of(search(s, filter("age", "in", {17, "34", false}))) == Ids{p.bob, p.carol});
  CHECK(ids_of(search(s, filter("team", "not", "RED"))) ==
        Ids{p.bob, p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, filter("team", "not_in", {"red", "blue"}))) ==
        Ids{p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, filter("name", "wildcard", "*O*"))) == Ids{p.bob, p.carol, p.admin});
  CHECK(ids_of(search(s, filter("age", "wildcard", "3*"))) == Ids{p.carol});  // text only
  CHECK(ids_of(search(s, filter("age", "range", {{"gte", 17}, {"lt", 34}}))) == Ids{p.bob});
  CHECK(ids_of(search(s, filter("age", "range", {{"gt", 16.5}}))) == Ids{p.alice, p.bob});
  CHECK(ids_of(search(s, filter("name", "range", {{"gte", "b"}, {"lt", "c"}}))) == Ids{p.bob});
  CHECK(ids_of(search(s, filter("phone", "eq", "5550001111"))) == Ids{p.patient});
  // An attribute nobody has matches nothing: current_page is then 0.
  auto none = search(s, filter("nickname", "eq", "x"));
  CHECK(ids_of(none).empty());
  CHECK(info_of(none) ==
        json{{"current_page", 0}, {"num_pages", 0}, {"per_page", 100}, {"total_result_count", 0}});
  // or / and across attributes and system fields
  json two = {{"filter",
               {{"team", {{"type", "eq"}, {"value", "red"}}},
                {"$tv.username", {{"type", "wildcard"}, {"value", "b*"}}}}}};
  CHECK(ids_of(search(s, two)) == Ids{p.alice, p.bob, p.carol});
  two["filter_type"] = "and";
  CHECK(ids_of(search(s, two)).empty());
  two["filter"]["$tv.username"]["value"] = "c*";
  CHECK(ids_of(search(s, two)) == Ids{p.carol});
}

TEST_CASE("search: keys with quotes, dots and non-ASCII; wildcard metacharacters are literal",
          "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  const std::string odd = create(s, "odd@x", {{"a\"b", 1}, {"c.d", "x"}, {"é", "ü"}});
  const std::string pct = create(s, "50%_off@lit.org");
  const std::string plain = create(s, "50ab_off@lit.org");
  const std::string brackets = create(s, "q?x[1]@lit.org");
  create(s, "qzx1@lit.org");
  CHECK(ids_of(search(s, filter("a\"b", "eq", 1))) == Ids{odd});
  CHECK(ids_of(search(s, filter("c.d", "eq", "X"))) == Ids{odd});
  CHECK(ids_of(search(s, filter("é", "eq", "ü"))) == Ids{odd});
  for (bool cs : {false, true}) {
    INFO("case_sensitive " << cs);
    CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "50%_*", cs))) == Ids{pct});
    CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "50*_off@lit.org", cs))) ==
          Ids{pct, plain});
    CHECK(ids_of(search(s, filter("$tv.username", "wildcard", "q?x[1]*", cs))) == Ids{brackets});
  }
}

TEST_CASE("search: paging info and pages past the end", "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  auto first = search(s, {{"per_page", 3}});
  CHECK(ids_of(first) == Ids{p.alice, p.bob, p.carol});
  CHECK(info_of(first) ==
        json{{"current_page", 1}, {"num_pages", 3}, {"per_page", 3}, {"total_result_count", 8}});
  auto last = search(s, {{"per_page", 3}, {"page", 3}});
  CHECK(ids_of(last) == Ids{p.readonly, p.patient});
  CHECK(info_of(last)["current_page"] == 3);
  auto past = search(s, {{"per_page", 3}, {"page", 4}});
  CHECK(ids_of(past).empty());
  CHECK(info_of(past) ==
        json{{"current_page", 4}, {"num_pages", 3}, {"per_page", 3}, {"total_result_count", 8}});
  auto exact = search(s, {{"per_page", 4}, {"page", 2}});
  CHECK(ids_of(exact) == Ids{p.admin, p.notifier, p.readonly, p.patient});
  CHECK(info_of(exact)["num_pages"] == 2);
  CHECK(info_of(search(s, {{"per_page", 500}}))["per_page"] == 500);
}

TEST_CASE("search: sort keys, then creation order; missing values last", "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  CHECK(ids_of(search(s, {{"sort", {{{"$tv.username", "asc"}}}}})) ==
        Ids{p.admin, p.alice, p.bob, p.carol, p.dave, p.notifier, p.patient, p.readonly});
  CHECK(ids_of(search(s, {{"sort", {{{"$tv.created_at", "desc"}}}}})) ==
        Ids{p.admin, p.notifier, p.readonly, p.patient, p.dave, p.carol, p.bob, p.alice});
  // SQLite's order across types: numbers before text ("34" sorts after 34 and 17).
  CHECK(ids_of(search(s, {{"sort", {{{"age", "desc"}}}}})) ==
        Ids{p.carol, p.alice, p.bob, p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, {{"sort", {{{"age", "asc"}}}}})) ==
        Ids{p.bob, p.alice, p.carol, p.dave, p.admin, p.notifier, p.readonly, p.patient});
  CHECK(ids_of(search(s, {{"sort", {{{"team", "asc"}}, {{"$tv.username", "desc"}}}}})) ==
        Ids{p.bob, p.carol, p.alice, p.readonly, p.patient, p.notifier, p.dave, p.admin});
  // Sort with a filter and paging.
  auto r = search(s, {{"filter", {{"team", {{"type", "eq"}, {"value", "red"}}}}},
                      {"sort", {{{"$tv.username", "desc"}}}},
                      {"per_page", 1},
                      {"page", 2}});
  CHECK(ids_of(r) == Ids{p.alice});
  CHECK(info_of(r)["total_result_count"] == 2);
}

TEST_CASE("search: full_document, request encodings, DEACTIVATED users", "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  const json option = filter("name", "eq", "bob");
  auto plain = search(s, option);
  CHECK(ids_of(plain) == Ids{p.bob});
  CHECK_FALSE(plain.body["data"]["documents"][0].contains("attributes"));
  json full = option;
  full["full_document"] = true;
  auto with = search(s, full);
  CHECK(
      json::parse(
          common::base64_decode(with.body["data"]["documents"][0]["attributes"].get<std::string>())
              .value()) == json{{"name", "bob"}, {"age", 17}, {"vip", false}, {"team", "Blue"}});

  // A JSON body: plain JSON or base64 text; the query string of an empty POST; multipart.
  CHECK(ids_of(call_json(s, "POST", "/v1/users/search", kAdminKey, {{"search_option", option}})) ==
        Ids{p.bob});
  CHECK(ids_of(call_json(s, "POST", "/v1/users/search", kAdminKey,
                         {{"search_option", b64(option)}})) == Ids{p.bob});
  CHECK(ids_of(call(s, "POST",
                    "/v1/users/search?_tv_sdk=1.3.1&search_option=" +
                        common::form_encode_component(b64(option)),
                    kAdminKey)) == Ids{p.bob});
  const std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"search_option\"\r\n\r\n" + b64(option) +
      "\r\n--XyZ--\r\n";
  CHECK(ids_of(call(s, "POST", "/v1/users/search", kAdminKey, multipart,
                    "multipart/form-data; boundary=XyZ")) == Ids{p.bob});
  // Ruby's base64 with line breaks.
  CHECK(ids_of(call_form(s, "POST", "/v1/users/search", kAdminKey,
                         {{"search_option", b64(option) + "\n"}})) == Ids{p.bob});

  // A deleted (DEACTIVATED) user stays searchable, by status too.
  expect_success(call(s, "DELETE", "/v1/users/" + p.bob, kAdminKey));
  CHECK(ids_of(search(s, option)) == Ids{p.bob});
  CHECK(ids_of(search(s, filter("$tv.status", "eq", "DEACTIVATED"))) == Ids{p.bob});
  CHECK(ids_of(search(s, {{"filter", {{"$tv.status", {{"type", "not"}, {"value", "DEACTIVATED"}}}}},
                          {"per_page", 2}})) == Ids{p.alice, p.carol});
}

TEST_CASE("search: only the caller's account; R on User::.* is needed", "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  People p(s);
  CHECK(ids_of(search(s, json::object(), kOtherAdminKey)) == Ids{kOtherAdminId});
  CHECK(ids_of(search(s, filter("$tv.username", "eq", "alice@truevault.com"), kOtherAdminKey))
            .empty());
  CHECK(ids_of(search(s, filter("$tv.id", "eq", p.alice), kOtherAdminKey)).empty());
  // The other account's admin is invisible to HealthCo's admin.
  CHECK(ids_of(search(s, filter("$tv.id", "eq", kOtherAdminId))).empty());

  const std::string denied = forbidden('R', "User::.*");
  expect_error(search(s, json::object(), kReadonlyKey), 403, "AUTH.FORBIDDEN", denied);
  expect_error(search(s, json::object(), kNotifierKey), 403, "AUTH.FORBIDDEN", denied);
  // A grant per user (User::$[id=self.id], or R User:: for listing) is not R User::.*.
  int groups = 0;
  auto grant = [&](const json& policy) {
    auto r = call_form(s, "POST", "/v1/groups", kAdminKey,
                       {{"name", "search-grant-" + std::to_string(++groups)},
                        {"policy", b64(policy)},
                        {"user_ids", p.alice}});
    REQUIRE(r.status == 200);
  };
  auto alice_key = call(s, "POST", "/v1/users/" + p.alice + "/api_key", kAdminKey);
  REQUIRE(alice_key.status == 200);
  const std::string key = alice_key.body["api_key"];
  grant(json::array({{{"Resources", {"User::$[id=self.id]", "User::"}}, {"Activities", "R"}}}));
  expect_error(search(s, json::object(), key), 403, "AUTH.FORBIDDEN", denied);
  grant(json::array({{{"Resources", {"User::.*"}}, {"Activities", "CUD"}}}));
  expect_error(search(s, json::object(), key), 403, "AUTH.FORBIDDEN", denied);
  grant(json::array({{{"Resources", {"User::.*"}}, {"Activities", "R"}}}));  // the doctors' grant
  CHECK(ids_of(search(s, {{"per_page", 1}}, key)) == Ids{p.alice});
  // No credentials: 401.
  expect_error(call_form(s, "POST", "/v1/users/search", "", {{"search_option", b64({})}}), 401,
               "AUTH.UNAUTHORIZED", errors::missing_credentials().message);
}

TEST_CASE("search: bad search options are TrueVault 400s naming the problem",
          "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  const std::string invalid = "Invalid search_option: ";
  auto raw = [&](const std::string& text) {
    return call_form(s, "POST", "/v1/users/search", kAdminKey, {{"search_option", text}});
  };
  const std::string base64 = "search_option must be base64-encoded JSON";
  expect_error(raw("!!!"), 400, "REQUEST.INVALID_BASE64", base64);
  expect_error(raw(common::base64_encode("hello")), 400, "REQUEST.INVALID_BASE64", base64);
  expect_error(raw(""), 400, "REQUEST.INVALID_BASE64", base64);
  expect_error(call_form(s, "POST", "/v1/users/search", kAdminKey, {{"other", "x"}}), 400,
               "REQUEST.MISSING_PARAMETER", "Missing required parameter: search_option");
  expect_error(call_json(s, "POST", "/v1/users/search", kAdminKey, {{"search_option", 5}}), 400,
               "REQUEST.INVALID_PARAMETER", invalid + "must be a JSON object");
  struct Case {
    json option;
    std::string message;
  };
  const std::vector<Case> cases = {
      {json::array(), "must be a JSON object"},
      {filter("$tv.username", "like", "x"),
       R"(filter '$tv.username': unknown type "like" (expected eq, in, not, not_in, wildcard or range))"},
      {filter("age", "range", json::object()),
       "filter 'age': a range needs at least one of gt, gte, lt, lte"},
      {{{"per_page", 501}}, "per_page must be an integer from 1 to 500"},
      {{{"per_page", 0}}, "per_page must be an integer from 1 to 500"},
      {{{"page", 0}}, "page must be an integer from 1 to 1000000000"},
      {filter("$tv.email", "eq", "x"),
       "unknown field '$tv.email' (system fields: $tv.username, $tv.created_at, $tv.status, "
       "$tv.id)"},
      {filter("$tv.username", "eq", 5), "filter '$tv.username': value must be a string"},
      {filter("$tv.created_at", "range", {{"gte", "last year"}}),
       "filter '$tv.created_at': range bound gte must be a date such as 2017-01-01 or "
       "2017-01-01T00:00:00.000Z"},
      {filter("age", "in", 5), "filter 'age': value must be an array"},
      {{{"sort", {{{"age", "up"}}}}}, R"(sort 'age': direction must be "asc" or "desc")"},
  };
  for (const auto& c : cases) {
    INFO(c.option.dump());
    expect_error(search(s, c.option), 400, "REQUEST.INVALID_PARAMETER", invalid + c.message);
  }
}

TEST_CASE("search: the largest accepted option runs (100 filters, 10 sort keys, long lists)",
          "[truevault][search]") {
  TrueVaultOnly env;
  auto& s = *env.tv;
  json filters = json::object();
  for (int i = 0; i < 99; ++i) {
    filters["attr" + std::to_string(i)] = {
        {"type", i % 2 == 0 ? "not_in" : "range"},
        {"value", i % 2 == 0 ? json::array({1, "x", true, nullptr}) : json{{"gt", 1}, {"lt", 9}}}};
  }
  json many = json::array();
  for (int i = 0; i < 20000; ++i) many.push_back("id-" + std::to_string(i));
  many.push_back(kPatientId);
  filters["$tv.id"] = {{"type", "in"}, {"value", many}};
  json sort = json::array();
  for (int i = 0; i < 9; ++i) sort.push_back({{"attr" + std::to_string(i), "desc"}});
  sort.push_back({{"$tv.username", "asc"}});
  // and: the patient lacks every attribute (so every not_in holds, every range fails) -> none;
  // or: every user (each lacks attr0, so not_in matches).
  auto r = search(s, {{"filter", filters}, {"filter_type", "and"}, {"sort", sort}});
  CHECK(ids_of(r).empty());
  r = search(s, {{"filter", filters}, {"sort", sort}, {"per_page", 1}});
  CHECK(ids_of(r) == Ids{kAdminId});
  CHECK(info_of(r)["total_result_count"] == 4);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The default fixture with `created_at` added to the patient.
std::string fixture_with_patient_created_at(const std::string& created_at) {
  std::string text = read_text(mock::testing::fixture_path("default"));
  const std::string anchor = R"("username": "patient@example.com",)";
  const auto at = text.find(anchor);
  REQUIRE(at != std::string::npos);
  text.insert(at + anchor.size(), R"( "created_at": ")" + created_at + R"(",)");
  const std::string path = mock::testing::temp_dir("search-fixture") + "/created_at.json";
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("search: created_at from the fixture, else the load time (manual: its start)",
          "[truevault][search][fixture]") {
  Config config = truevault_config("http://127.0.0.1:1");
  config.server.fixtures = fixture_with_patient_created_at("2016-05-01T12:00:00.000Z");
  auto tv = start_truevault(config);
  auto& s = *tv;
  CHECK(ids_of(search(s, filter("$tv.created_at", "range", {{"lt", "2017-01-01"}}))) ==
        Ids{kPatientId});
  CHECK(ids_of(search(s, {{"per_page", 1}})) == Ids{kPatientId});  // the oldest first
  const json at_start = filter("$tv.created_at", "eq", "2026-01-01T00:00:00.000Z");
  CHECK(ids_of(search(s, at_start)) == Ids{kAdminId, kNotifierId, kReadonlyId});
  // A reset reloads at the manual clock's start, wherever the clock was.
  set_clock(s, "2030-06-01T00:00:00.000Z");
  REQUIRE(s.client()->Post("/_mock/reset", "{}", "application/json")->status == 200);
  CHECK(ids_of(search(s, at_start)) == Ids{kAdminId, kNotifierId, kReadonlyId});

  Config bad = truevault_config("http://127.0.0.1:1");
  bad.server.fixtures = fixture_with_patient_created_at("last tuesday");
  auto refused = make_service(bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == bad.server.fixtures +
                               ": /truevault/users/3/created_at: 'last tuesday' is not an "
                               "ISO-8601 time such as 2017-01-15T09:30:00.000Z or 2017-01-15 "
                               "(from 1970 to 2199)");
}

TEST_CASE("search: a --db file of the previous schema version is refused with a clear message",
          "[truevault][search][fixture]") {
  // Schema 2 added users.created_at_ms: a version-1 file must not be opened as if it had it.
  const std::string dir = mock::testing::temp_dir("search-db");
  const std::string path = dir + "/v1.db";
  {
    Config c = truevault_config("http://127.0.0.1:1");
    c.server.db = path;
    REQUIRE(make_service(c));
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 1");
  }
  Config c = truevault_config("http://127.0.0.1:1");
  c.server.db = path;
  auto refused = make_service(c);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().starts_with(
      path + ": database schema version 1 is not this build's version 2 (the file was written"));
}

}  // namespace
}  // namespace mock::truevault::testing
