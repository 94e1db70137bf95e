#pragma once
// A small in-memory world for the domain unit tests: one account with an admin (FULL_ADMIN
// on users and groups), a notifier (C User::.*::Message) and a patient with a phone number,
// plus a second account, under the default fixture's ids (test_ids.hpp). Store ":memory:",
// ManualClock, sequential ids.

#include <memory>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/policy_engine.hpp"
#include "mock_truevault/domain/test_ids.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault::testing {

// Only the World's patient has an API key (the default fixture's patient has none).
inline constexpr const char* kPatientKey = "00000000-0000-4000-a000-0000000000a4";

inline FixtureData test_fixture() {
  FixtureData data;
  data.accounts = {{kAccount, "HealthCo"}, {kOtherAccount, "OtherCo"}};
  auto user = [](const char* id, const char* account, const char* name, const char* key,
                 nlohmann::json attributes) {
    FixtureData::FixtureUser fu;
    fu.user.id = id;
    fu.user.account_id = account;
    fu.user.username = name;
    fu.user.api_key = key;
    fu.user.attributes = std::move(attributes);
    fu.password = std::string(name) + "-password";
    return fu;
  };
  data.users = {
      user(kAdminId, kAccount, "admin", kAdminKey, nlohmann::json::object()),
      user(kNotifierId, kAccount, "notifier", kNotifierKey, nlohmann::json::object()),
      user(kPatientId, kAccount, "patient", kPatientKey, {{"phone", "5550001111"}}),
      user(kOtherAdminId, kOtherAccount, "admin", kOtherAdminKey, nlohmann::json::object())};
  data.groups = {
      {kFullAdminGroup,
       kAccount,
       "FULL_ADMIN",
       nlohmann::json::parse(
           R"([{"Activities": "CRUDA", "Resources": ["User::.*", "Group::.*"]}])"),
       {kAdminId}},
      {kNotifiersGroup,
       kAccount,
       "Notifiers",
       nlohmann::json::parse(R"([{"Resources": ["User::.*::Message"], "Activities": "C"}])"),
       {kNotifierId}},
      {kOtherAdminGroup,
       kOtherAccount,
       "FULL_ADMIN",
       nlohmann::json::parse(
           R"([{"Activities": "CRUDA", "Resources": ["User::.*", "Group::.*"]}])"),
       {kOtherAdminId}},
  };
  return data;
}

struct World {
  World()
      : store(std::move(Store::open(":memory:").value())),
        ids(common::IdGenerator::sequential()),
        auth(*store, clock, ids, policy) {
    store->replace_all(test_fixture());
  }
  Principal principal(const char* key) { return auth.authenticate(Credential{key, ""}).value(); }

  std::unique_ptr<Store> store;
  common::ManualClock clock;
  common::IdGenerator ids;
  PolicyEngine policy;
  Auth auth;
};

}  // namespace mock::truevault::testing
