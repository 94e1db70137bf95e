#pragma once
// The "truevault" section of a fixture file (house-style §3.4). Schema (unknown keys are
// refused, errors name the file and JSON pointer):
//
//   "truevault": {
//     "accounts": [{"id": UUID, "name": "label"}],
//     "groups":   [{"id": UUID, "account_id": UUID, "name": "...", "policy": [statements],
//                   "user_ids": [UUID, ...]}],
//     "users":    [{"id": UUID, "account_id": UUID, "username": "...", "password": "...",
//                   "api_key": UUID, "status": "ACTIVATED", "attributes": {...}}]
//   }
//
// password, api_key, status (default ACTIVATED) and attributes (default {}) are optional.

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/fixtures.hpp"
#include "common/result.hpp"
#include "mock_truevault/domain/model.hpp"

namespace mock::truevault {

// Returns a problem description when `policy` is not a valid policy.
using PolicyCheck = std::function<std::optional<std::string>(const nlohmann::json& policy)>;

common::Result<FixtureData, std::string> read_fixture_section(const common::FixtureFile& file,
                                                              const PolicyCheck& check_policy);

}  // namespace mock::truevault
