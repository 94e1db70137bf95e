#include "common/journal.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "common/crypto.hpp"

using mock::common::Journal;
using mock::common::looks_volatile;
using mock::common::mask_attributes;
using mock::common::RecordOptions;
using mock::common::to_scenario;
using nlohmann::json;

TEST_CASE("the journal keeps the newest cap entries", "[common][journal]") {
  Journal journal(2);
  for (int i = 0; i < 3; ++i) journal.add({{"path", "/" + std::to_string(i)}});
  const auto j = journal.to_json();
  CHECK(j["cap"] == 2);
  CHECK(j["evicted"] == 1);
  REQUIRE(j["entries"].size() == 2);
  CHECK(j["entries"][0]["path"] == "/1");
  CHECK(j["entries"][0]["seq"] == 2);
  CHECK(j["entries"][1]["seq"] == 3);
  journal.clear();
  CHECK(journal.entries().empty());
}

TEST_CASE("volatile values: SIDs, UUIDs, dates, tokens", "[common][journal]") {
  CHECK(looks_volatile("x", "SM0123456789abcdef0123456789abcdef"));
  CHECK(looks_volatile("x", "4a635639-fcf5-4cca-9b79-25376fdb460f"));
  CHECK(looks_volatile("x", "2026-01-01T00:00:00.000Z"));
  CHECK(looks_volatile("x", "Thu, 01 Jan 2026 00:00:00 +0000"));
  CHECK(looks_volatile("transaction_id", "whatever-value"));
  CHECK(looks_volatile("date_updated", "anything at all"));
  CHECK_FALSE(looks_volatile("body", "Please check your HealthCo messages"));
  CHECK_FALSE(looks_volatile("status", "delivered"));
  CHECK_FALSE(looks_volatile("to", "+15550001111"));
}

TEST_CASE("attribute masking: base64 JSON and plain JSON", "[common][journal][pii]") {
  const std::string b64 = mock::common::base64_encode(R"({"phone":"5550001111","n":{"a":1}})");
  const auto masked = mask_attributes(b64);
  REQUIRE(masked.is_string());
  CHECK(*mock::common::base64_decode(masked.get<std::string>()) ==
        R"({"n":{"a":"***"},"phone":"***"})");
  CHECK(mask_attributes(json{{"phone", "5550001111"}}) == json{{"phone", "***"}});
  CHECK(mask_attributes("not base64 json!") == "***");
}

namespace {

json entry(std::string service, std::string method, std::string path, json headers,
           std::string body, int status, json response, std::int64_t t) {
  return {{"service", service}, {"method", method},     {"path", path},
          {"query", ""},        {"headers", headers},   {"body", body},
          {"status", status},   {"response", response}, {"time_us", t}};
}

}  // namespace

TEST_CASE("the recorder captures volatile values, reuses them, masks PII",
          "[common][journal][pii]") {
  const std::string key = "00000000-0000-4000-a000-0000000000a1";
  const std::string auth = "Basic " + mock::common::base64_encode(key + ":");
  const std::string attrs = mock::common::base64_encode(R"({"phone":"5550001111"})");
  const std::string new_id = "11111111-2222-4333-8444-555555555555";
  std::vector<json> entries = {
      entry("truevault", "POST", "/v1/users",
            {{"Authorization", auth}, {"Content-Type", "application/x-www-form-urlencoded"}},
            "username=bob&password=pw&attributes=" + attrs, 200,
            {{"result", "success"},
             {"transaction_id", "aaaaaaaa-0000-4000-8000-000000000001"},
             {"user", {{"id", new_id}, {"username", "bob"}, {"attributes", attrs}}}},
            1),
      // Forwarded by mock_truevault: not a step.
      entry("twilio", "POST",
            "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json",
            {{"User-Agent", "mock-truevault"}}, "To=1", 201, json::object(), 2),
      entry("truevault", "GET", "/v1/users/" + new_id, {{"Authorization", auth}}, "", 200,
            {{"result", "success"}, {"user", {{"id", new_id}, {"attributes", attrs}}}}, 3),
  };
  RecordOptions options;
  options.name = "t";
  auto s = to_scenario(entries, options);
  CHECK(s["name"] == "t");
  CHECK(s["fixture"] == "default");
  CHECK(json::parse(s["vars"].dump()) == json{{"tv_key", key}});
  REQUIRE(s["steps"].size() == 2);
  const auto& first = s["steps"][0];
  CHECK(first["id"] == "01_post_users");
  CHECK(first["basic_auth"] == "{{tv_key}}:");
  // The attributes sent are masked (same shape, values "***").
  CHECK(first["form"][2][0] == "attributes");
  CHECK(*mock::common::base64_decode(first["form"][2][1].get<std::string>()) ==
        R"({"phone":"***"})");
  CHECK(json::parse(first["capture"].dump()) ==
        json{{"transaction_id", "/transaction_id"}, {"id", "/user/id"}});
  CHECK(json::parse(first["expect"]["json"].dump()) ==
        json{{"result", "success"}, {"user", {{"username", "bob"}}}});
  const auto& second = s["steps"][1];
  CHECK(second["path"] == "/v1/users/{{id}}");
  CHECK(json::parse(second["expect"]["json"].dump()) ==
        json{{"result", "success"}, {"user", {{"id", "{{id}}"}}}});

  options.keep_pii = true;
  auto kept = to_scenario(entries, options);
  CHECK(kept["steps"][0]["form"][2][1] == attrs);
  CHECK(kept["steps"][0]["expect"]["json"]["user"]["attributes"] == attrs);
}

TEST_CASE("the recorder substitutes longest values first, never inside a reference",
          "[common][journal]") {
  const std::string auth =
      "Basic " + mock::common::base64_encode("00000000-0000-4000-a000-0000000000a1:");
  auto get = [&](const std::string& path, json response, std::int64_t t) {
    return entry("truevault", "GET", path, {{"Authorization", auth}}, "", 200, response, t);
  };
  // transaction_id is volatile whatever its value (8 characters or more): each new one is
  // captured as a variable.
  std::vector<json> entries = {
      get("/v1/a", {{"transaction_id", "LONG-VALUE-12-LONG"}}, 1),
      get("/v1/b", {{"transaction_id", "VALUE-12"}}, 2),    // inside the first value
      get("/v1/c", {{"transaction_id", "ransaction"}}, 3),  // inside every "{{transaction_id}}"
      get("/v1/d/LONG-VALUE-12-LONG/VALUE-12/ransaction/VALUE-12VALUE-12", json::object(), 4),
  };
  auto s = to_scenario(entries, RecordOptions{});
  INFO(s.dump(1));
  REQUIRE(s["steps"].size() == 4);
  CHECK(s["steps"][1]["capture"]["transaction_id_2"] == "/transaction_id");
  CHECK(s["steps"][2]["capture"]["transaction_id_3"] == "/transaction_id");
  CHECK(s["steps"][3]["path"] ==
        "/v1/d/{{transaction_id}}/{{transaction_id_2}}/{{transaction_id_3}}/"
        "{{transaction_id_2}}{{transaction_id_2}}");
}

TEST_CASE("the recorder names and substitutes the ids of a long session", "[common][journal]") {
  // 600 users created, then each fetched: id, id_2, ... id_600, each path using its own.
  const std::string auth =
      "Basic " + mock::common::base64_encode("00000000-0000-4000-a000-0000000000a1:");
  std::vector<json> entries;
  auto id_of = [](int i) { return fmt::format("11111111-2222-4333-8444-{:012}", i); };
  const int n = 600;
  for (int i = 0; i < n; ++i) {
    entries.push_back(entry("truevault", "POST", "/v1/users", {{"Authorization", auth}}, "", 200,
                            {{"user", {{"id", id_of(i)}}}}, i));
  }
  for (int i = n - 1; i >= 0; --i) {
    entries.push_back(entry("truevault", "GET", "/v1/users/" + id_of(i) + "," + id_of((i + 1) % n),
                            {{"Authorization", auth}}, "", 200, json::object(), n + i));
  }
  auto s = to_scenario(entries, RecordOptions{});
  REQUIRE(s["steps"].size() == 2 * n);
  auto var = [](int i) { return i == 0 ? std::string("id") : fmt::format("id_{}", i + 1); };
  for (int i = 0; i < n; ++i) {
    INFO(i);
    CHECK(s["steps"][i]["capture"][var(i)] == "/user/id");
    CHECK(s["steps"][2 * n - 1 - i]["path"] ==
          "/v1/users/{{" + var(i) + "}},{{" + var((i + 1) % n) + "}}");
  }
}
