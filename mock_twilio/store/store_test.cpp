#include "mock_twilio/store/store.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {
namespace {

common::FixtureFile file_of(const std::string& text) {
  return common::FixtureFile{"fixtures/t.json", nlohmann::json::parse(text)};
}

const char* kGood = R"({
  "twilio": {
    "accounts": [{ "sid": "AC00000000000000000000000000000001", "auth_token": "t1", "test": false }],
    "api_keys": [{ "sid": "SK00000000000000000000000000000001", "secret": "s",
                   "account_sid": "AC00000000000000000000000000000001" }],
    "phone_numbers": [{ "sid": "PN00000000000000000000000000000001",
                        "account_sid": "AC00000000000000000000000000000001",
                        "phone_number": "+15557778888" }],
    "messages": [{ "sid": "SM000000000000000000000000000000a1",
                   "account_sid": "AC00000000000000000000000000000001",
                   "from": "+15557778888", "to": "+15550001111", "body": "queued one",
                   "status": "queued", "date_created": "2026-01-01T00:00:00Z" }]
  }
})";

}  // namespace

TEST_CASE("fixture: a valid section loads and round-trips", "[twilio][store]") {
  auto fixture = parse_fixture(file_of(kGood));
  REQUIRE(fixture);
  auto db = common::Sqlite::open(":memory:", kSchemaSql, kSchemaVersion);
  REQUIRE(db);
  Store store(**db);
  store.load_fixture(*fixture);
  CHECK(store.find_account("AC00000000000000000000000000000001")->auth_token == "t1");
  CHECK(store.find_api_key("SK00000000000000000000000000000001")->secret == "s");
  CHECK(store.find_phone_number("AC00000000000000000000000000000001", "+15557778888"));
  auto m = store.find_message("AC00000000000000000000000000000001",
                              "SM000000000000000000000000000000a1");
  REQUIRE(m);
  CHECK(m->status == MessageStatus::kQueued);
  CHECK(m->num_segments == 1);
  CHECK(m->date_updated == m->date_created);
  CHECK_FALSE(m->date_sent);
  const auto state = store.dump_state();
  CHECK(state["accounts"][0]["auth_token"] == "****");  // secrets masked
  CHECK(state["messages"].size() == 1);
  // Reset = rebuild: loading again replaces, never duplicates.
  store.load_fixture(*fixture);
  CHECK(store.dump_state()["messages"].size() == 1);
  CHECK(store.clear_messages() == 1);
}

TEST_CASE("fixture: mistakes name file / pointer and problem", "[twilio][store]") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {R"({"twilio": {"accounts": [{"sid": "AC0000000000000000000000000000000G", "auth_token": "t"}]}})",
       "fixtures/t.json: /twilio/accounts/0/sid: 'AC0000000000000000000000000000000G' is not an "
       "account SID (must match ^AC[0-9a-f]{32}$)"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t", "colour": 1}]}})",
       "fixtures/t.json: /twilio/accounts/0/colour: unknown key"},
      {R"({"twilio": {"accounts": [], "numbers": []}})",
       "fixtures/t.json: /twilio/numbers: unknown key"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001"}]}})",
       "fixtures/t.json: /twilio/accounts/0/auth_token: required"},
      {R"({"twilio": {"api_keys": [{"sid": "SK00000000000000000000000000000001", "secret": "s", "account_sid": "AC00000000000000000000000000000009"}]}})",
       "fixtures/t.json: /twilio/api_keys/0/account_sid: 'AC00000000000000000000000000000009' is "
       "not an account of this fixture"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "phone_numbers": [{"sid": "PN00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "phone_number": "5557778888"}]}})",
       "fixtures/t.json: /twilio/phone_numbers/0/phone_number: '5557778888' is not an E.164 "
       "number (must match \\+[1-9][0-9]{1,14})"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "messages": [{"sid": "SM00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "to": "+15550001111", "status": "lost", "date_created": "2026-01-01T00:00:00Z"}]}})",
       "fixtures/t.json: /twilio/messages/0/status: 'lost' is not a message status"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}],
           "messages": [{"sid": "SM00000000000000000000000000000001", "account_sid": "AC00000000000000000000000000000001", "to": "+15550001111", "date_created": "yesterday"}]}})",
       "fixtures/t.json: /twilio/messages/0/date_created: 'yesterday' is not an ISO-8601 UTC "
       "time (YYYY-MM-DDTHH:MM:SSZ)"},
      {R"({"twilio": {"accounts": [{"sid": "AC00000000000000000000000000000001", "auth_token": "t"}, {"sid": "AC00000000000000000000000000000001", "auth_token": "u"}]}})",
       "fixtures/t.json: /twilio/accounts/1/sid: duplicate SID"},
      {R"({"description": "no twilio"})",
       "fixtures/t.json: /twilio: required (the mock_twilio section)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = parse_fixture(file_of(c.text));
    REQUIRE_FALSE(r);
    CHECK(r.error() == c.error);
  }
}

TEST_CASE("fixture: the repository's default.json is valid", "[twilio][store]") {
  const char* dir = std::getenv("MOCK_SOURCE_DIR");
  const std::string path = std::string(dir != nullptr ? dir : ".") + "/fixtures/default.json";
  auto file = common::read_fixture_file(path);
  REQUIRE(file);
  auto fixture = parse_fixture(*file);
  REQUIRE(fixture);
  CHECK(fixture->accounts.at(0).sid == "AC00000000000000000000000000000001");
  CHECK(fixture->accounts.at(0).auth_token == "a0000000000000000000000000000001");
  CHECK(fixture->api_keys.at(0).secret == "mock-api-key-secret");
  CHECK(fixture->phone_numbers.at(0).phone_number == "+15557778888");
}

}  // namespace mock::twilio
