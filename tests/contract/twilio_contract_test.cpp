// Contract test: messages served by mock_twilio against Twilio's own OpenAPI description
// (twilio_api_v2010.json, components.schemas["api.v2010.account.message"] and the
// ListMessageResponse of GET .../Messages.json). The spec file is not part of the repository:
// $MOCK_TWILIO_SPEC names it; without it the test reports itself skipped (exit 77), not passed.
#define CATCH_CONFIG_RUNNER
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/form.hpp"
#include "mock_twilio/service.hpp"
#include "tests/integration/twilio_test_support.hpp"
#include "tests/support/harness.hpp"

namespace mock::twilio {
namespace {

using nlohmann::json;

using namespace testing::twilio;  // kAc, kToken, paths, test_config, ...
const char* kMessagesPathKey = "/2010-04-01/Accounts/{AccountSid}/Messages.json";

std::string spec_path() {
  const char* v = std::getenv("MOCK_TWILIO_SPEC");
  return v != nullptr ? v : "";
}

json load_spec() {
  std::ifstream in(spec_path(), std::ios::binary);
  REQUIRE(in);
  return json::parse(in);
}

const json& resolve(const json& spec, const json& schema) {
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];  // "#/components/schemas/x"
    return spec.at(json::json_pointer(ref.substr(1)));
  }
  return schema;
}

// Checks `value` against an OpenAPI 3.0 schema (the subset the Messages resource uses:
// type, nullable, enum, pattern, minLength/maxLength, format, properties, items).
void check_value(const json& spec, const json& raw_schema, const json& value,
                 const std::string& where) {
  const json& schema = resolve(spec, raw_schema);
  INFO(where << " = " << value.dump());
  if (value.is_null()) {
    CHECK(schema.value("nullable", false));
    return;
  }
  const std::string type = schema.value("type", "");
  if (type == "string") {
    REQUIRE(value.is_string());
    const std::string s = value.get<std::string>();
    if (schema.contains("enum")) {
      const auto& e = schema["enum"];
      CHECK(std::find(e.begin(), e.end(), value) != e.end());
    }
    if (schema.contains("pattern")) {
      CHECK(std::regex_search(s, std::regex(schema["pattern"].get<std::string>())));
    }
    if (schema.contains("minLength")) CHECK(s.size() >= schema["minLength"].get<std::size_t>());
    if (schema.contains("maxLength")) CHECK(s.size() <= schema["maxLength"].get<std::size_t>());
    const std::string format = schema.value("format", "");
    if (format == "date-time-rfc-2822") {
      CHECK(std::regex_match(s, std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} )"
                                           R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
                                           R"(\d{4} \d{2}:\d{2}:\d{2} \+0000)")));
    } else if (format == "phone-number") {
      CHECK(std::regex_match(s, std::regex(R"(\+[1-9]\d{1,14})")));
    } else if (format == "currency") {
      CHECK(std::regex_match(s, std::regex("[A-Z]{3}")));
    } else if (format == "uri") {
      CHECK(s.starts_with("/2010-04-01/"));  // relative to https://api.twilio.com
    }
  } else if (type == "integer") {
    CHECK(value.is_number_integer());
  } else if (type == "object") {
    REQUIRE(value.is_object());
    if (schema.value("format", "") == "uri-map") {
      for (const auto& [k, v] : value.items()) {
        CHECK(v.is_string());
        CHECK(v.get<std::string>().starts_with("/2010-04-01/"));
      }
    }
  } else if (type == "array") {
    REQUIRE(value.is_array());
    for (std::size_t i = 0; i < value.size(); ++i) {
      check_value(spec, schema["items"], value[i], where + "/" + std::to_string(i));
    }
  } else {
    FAIL("unhandled schema type '" << type << "' at " << where);
  }
}

std::vector<std::string> keys_of(const json& object) {
  std::vector<std::string> out;
  for (const auto& [k, v] : object.items()) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

// Exactly the schema's properties, each valid.
void check_object(const json& spec, const json& schema, const json& value,
                  const std::string& where) {
  REQUIRE(value.is_object());
  CHECK(keys_of(value) == keys_of(schema.at("properties")));
  for (const auto& [k, sub] : schema.at("properties").items()) {
    if (value.contains(k)) check_value(spec, sub, value[k], where + "/" + k);
  }
}

struct Server {
  Server() {
    // The default fixture plus a failed message, so error_code/error_message carry values.
    dir = testing::temp_dir("twilio-contract");
    auto doc = json::parse(testing::read_file(testing::fixture_path("default")), nullptr, true,
                           /*ignore_comments=*/true);
    doc["twilio"]["messages"] = json::array({{{"sid", "SM000000000000000000000000000000f1"},
                                              {"account_sid", kAc},
                                              {"from", "+15557778888"},
                                              {"to", "+15550001111"},
                                              {"body", "undeliverable"},
                                              {"status", "undelivered"},
                                              {"error_code", 30003},
                                              {"error_message", "Unreachable destination handset"},
                                              {"price", "-0.00790"},
                                              {"price_unit", "USD"},
                                              {"date_created", "2025-12-31T10:00:00Z"},
                                              {"date_sent", "2025-12-31T10:00:01Z"}}});
    std::ofstream(dir + "/contract.json") << doc.dump();
    running = start_service(test_config(dir + "/contract.json"));
  }
  ~Server() { std::filesystem::remove_all(dir); }
  json call(const std::string& method, const std::string& path, const std::string& body = "",
            int expected = 200) const {
    auto c = running->client();
    c->set_basic_auth(kAc.c_str(), kToken.c_str());
    auto res = method == "POST" ? c->Post(path.c_str(), body, "application/x-www-form-urlencoded")
                                : c->Get(path.c_str());
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == expected);
    return json::parse(res->body);
  }
  std::string dir;
  std::unique_ptr<testing::RunningService> running;
};

}  // namespace

TEST_CASE("created / fetched / listed messages match api.v2010.account.message",
          "[twilio][contract]") {
  const json spec = load_spec();
  const json& schema = spec.at("components").at("schemas").at("api.v2010.account.message");
  Server s;
  const auto created = s.call("POST", kMessages,
                              common::encode_form({{"To", "+15550001111"},
                                                   {"From", "+15557778888"},
                                                   {"Body", "contract"},
                                                   {"MediaUrl", "https://e.x/a.png"}}),
                              201);
  check_object(spec, schema, created, "created");
  const auto sms = s.call("POST", kMessages, "To=%2B15550001112&From=%2B15557778888&Body=sms", 201);
  check_object(spec, schema, sms, "created sms");
  const auto fetched = s.call("GET", created["uri"].get<std::string>());
  check_object(spec, schema, fetched, "fetched");
  const auto failed = s.call(
      "GET", "/2010-04-01/Accounts/" + kAc + "/Messages/SM000000000000000000000000000000f1.json");
  check_object(spec, schema, failed, "failed");
  CHECK(failed["error_code"] == 30003);

  const auto list = s.call("GET", kMessages + "?PageSize=2");
  const json& list_schema = spec.at("paths")
                                .at(kMessagesPathKey)
                                .at("get")
                                .at("responses")
                                .at("200")
                                .at("content")
                                .at("application/json")
                                .at("schema");
  check_object(spec, list_schema, list, "list");
  REQUIRE(list["messages"].size() == 2);
  for (const auto& m : list["messages"]) check_object(spec, schema, m, "listed");
  const auto page2 = s.call("GET", list["next_page_uri"].get<std::string>());
  check_object(spec, list_schema, page2, "list page 2");
}

TEST_CASE("the spec's paths and operations are the ones served", "[twilio][contract]") {
  const json spec = load_spec();
  const auto& paths = spec.at("paths");
  const auto& list = paths.at(kMessagesPathKey);
  CHECK(list.contains("post"));
  CHECK(list.contains("get"));
  CHECK(list["post"]["responses"].contains("201"));
  const auto& one = paths.at("/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json");
  CHECK(one["get"]["responses"].contains("200"));
  CHECK(one["post"]["responses"].contains("200"));
  CHECK(one["delete"]["responses"].contains("204"));
  // The update enum allows only "canceled": what UpdateMessage accepts for Status.
  CHECK(spec.at("components").at("schemas").at("message_enum_update_status").at("enum") ==
        json::array({"canceled"}));
}

}  // namespace mock::twilio

int main(int argc, char** argv) {
  const std::string path = mock::twilio::spec_path();
  if (path.empty() || !std::filesystem::exists(path)) {
    std::printf("SKIPPED: Twilio OpenAPI file not found (MOCK_TWILIO_SPEC=%s)\n",
                path.empty() ? "<unset>" : path.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
