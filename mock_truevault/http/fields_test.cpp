#include "mock_truevault/http/fields.hpp"

#include <catch2/catch.hpp>

#include "common/crypto.hpp"

namespace mock::truevault::http {
namespace {

using common::RequestBody;

RequestBody urlencoded(const std::string& raw) {
  RequestBody b;
  b.kind = RequestBody::Kind::kUrlEncoded;
  b.raw = raw;
  b.fields = common::parse_urlencoded(raw);
  return b;
}

RequestBody multipart(std::vector<std::pair<std::string, std::string>> parts) {
  RequestBody b;
  b.kind = RequestBody::Kind::kMultipart;
  for (auto& [k, v] : parts) b.fields.add(k, v);
  return b;
}

RequestBody json_body(const std::string& raw) {
  RequestBody b;
  b.kind = RequestBody::Kind::kJson;
  b.raw = raw;
  return b;
}

TEST_CASE("form fields in all four encodings", "[truevault][fields]") {
  const std::string attrs = common::base64_encode(R"({"phone":"5550001111"})");
  const auto check = [&](const Fields& f) {
    CHECK(f.text("username") == "pat@example.com");
    auto a = json_field(f, "attributes");
    REQUIRE(a.has_value());
    REQUIRE(a->has_value());
    CHECK((**a)["phone"] == "5550001111");
  };
  SECTION("multipart") {
    check(Fields::from(multipart({{"username", "pat@example.com"}, {"attributes", attrs}}), {})
              .value());
  }
  SECTION("urlencoded") {
    check(Fields::from(
              urlencoded("username=pat%40example.com&attributes=" + common::url_encode(attrs)), {})
              .value());
  }
  SECTION("query string on an empty body") {
    check(Fields::from(RequestBody{},
                       common::parse_urlencoded("username=pat%40example.com&attributes=" +
                                                common::url_encode(attrs) + "&_tv_sdk=1.3.1"))
              .value());
  }
  SECTION("JSON, plain or base64") {
    check(Fields::from(json_body(R"({"username": "pat@example.com",
                                     "attributes": {"phone": "5550001111"}})"),
                       {})
              .value());
    check(Fields::from(
              json_body(R"({"username": "pat@example.com", "attributes": ")" + attrs + "\"}"), {})
              .value());
  }
}

TEST_CASE("body first, then query; names trimmed", "[truevault][fields]") {
  auto f =
      Fields::from(multipart({{"not_valid_after ", "2026-01-02T00:00:00.000Z"}, {" name", "body"}}),
                   common::parse_urlencoded("name=query&full=true"))
          .value();
  CHECK(f.text("not_valid_after") == "2026-01-02T00:00:00.000Z");
  CHECK(f.text("name") == "body");
  CHECK(f.text("full") == "true");
  CHECK_FALSE(f.has("missing"));
}

TEST_CASE("malformed JSON bodies are REQUEST.INVALID_JSON", "[truevault][fields]") {
  for (const std::string raw : {"{", "[1]", "\"x\""}) {
    auto f = Fields::from(json_body(raw), {});
    REQUIRE_FALSE(f.has_value());
    CHECK(f.error().http_status == 400);
    CHECK(f.error().code == "REQUEST.INVALID_JSON");
    CHECK(f.error().message == "Request body must be a JSON object");
  }
  CHECK(Fields::from(json_body(""), {}).has_value());
}

TEST_CASE("base64 JSON fields are decoded leniently", "[truevault][fields]") {
  struct Case {
    std::string text;
    nlohmann::json expected;
  };
  const std::vector<Case> cases = {
      {"e30=", nlohmann::json::object()},
      {"e30", nlohmann::json::object()},         // missing padding
      {"e30=\n", nlohmann::json::object()},      // Ruby's trailing newline
      {"eyJhIjog\nMX0=", {{"a", 1}}},            // wrapped lines
      {common::base64_encode("null"), nullptr},  // any JSON value, null included
  };
  for (const auto& c : cases) {
    auto f = Fields::from(urlencoded("attributes=" + common::url_encode(c.text)), {}).value();
    auto v = json_field(f, "attributes");
    REQUIRE(v.has_value());
    REQUIRE(v->has_value());
    CHECK(**v == c.expected);
  }
  for (const std::string& bad : {std::string("not base64!"), common::base64_encode("{not json")}) {
    auto f = Fields::from(urlencoded("attributes=" + common::url_encode(bad)), {}).value();
    auto v = json_field(f, "attributes");
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == "REQUEST.INVALID_BASE64");
    CHECK(v.error().message == "attributes must be base64-encoded JSON");
  }
}

TEST_CASE("truthy flags and id lists", "[truevault][fields]") {
  for (const char* yes : {"true", "TRUE", "1", "01", "yes", "on"}) CHECK(truthy(std::string(yes)));
  for (const char* no : {"false", "0", "00", "", "no", "maybe"})
    CHECK_FALSE(truthy(std::string(no)));
  CHECK_FALSE(truthy(std::nullopt));
  CHECK(split_ids("a, b,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_ids("").empty());
  auto f = Fields::from(json_body(R"({"user_ids": ["u1", "u2"], "bad": [1]})"), {}).value();
  CHECK(id_list_field(f, "user_ids").value() == std::vector<std::string>{"u1", "u2"});
  auto bad = id_list_field(f, "bad");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "Invalid bad: must be an array of ids");
  CHECK_FALSE(id_list_field(f, "absent").value().has_value());
}

}  // namespace
}  // namespace mock::truevault::http
