#pragma once
// A small in-memory world for the domain unit tests: one account with an admin (FULL_ADMIN
// on users and groups), a notifier (C User::.*::Message) and a patient with a phone number,
// plus a second account. Store ":memory:", ManualClock, sequential ids.

#include <memory>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/policy_engine.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault::testing {

inline constexpr const char* kAccount = "00000000-0000-4000-a000-000000000001";
inline constexpr const char* kOtherAccount = "00000000-0000-4000-a000-000000000002";
inline constexpr const char* kAdmin = "00000000-0000-4000-a000-000000000101";
inline constexpr const char* kNotifier = "00000000-0000-4000-a000-000000000102";
inline constexpr const char* kPatient = "4a635639-fcf5-4cca-9b79-25376fdb460f";
inline constexpr const char* kOtherAdmin = "00000000-0000-4000-a000-000000000111";
inline constexpr const char* kAdminKey = "00000000-0000-4000-a000-0000000000a1";
inline constexpr const char* kNotifierKey = "00000000-0000-4000-a000-0000000000a2";
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
  data.users = {user(kAdmin, kAccount, "admin", kAdminKey, nlohmann::json::object()),
                user(kNotifier, kAccount, "notifier", kNotifierKey, nlohmann::json::object()),
                user(kPatient, kAccount, "patient", kPatientKey, {{"phone", "5550001111"}}),
                user(kOtherAdmin, kOtherAccount, "admin", "00000000-0000-4000-a000-0000000000b1",
                     nlohmann::json::object())};
  data.groups = {
      {"00000000-0000-4000-a000-000000000201",
       kAccount,
       "FULL_ADMIN",
       nlohmann::json::parse(
           R"([{"Activities": "CRUDA", "Resources": ["User::.*", "Group::.*"]}])"),
       {kAdmin}},
      {"00000000-0000-4000-a000-000000000204",
       kAccount,
       "Notifiers",
       nlohmann::json::parse(R"([{"Resources": ["User::.*::Message"], "Activities": "C"}])"),
       {kNotifier}},
      {"00000000-0000-4000-a000-000000000211",
       kOtherAccount,
       "FULL_ADMIN",
       nlohmann::json::parse(
           R"([{"Activities": "CRUDA", "Resources": ["User::.*", "Group::.*"]}])"),
       {kOtherAdmin}},
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
