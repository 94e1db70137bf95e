#pragma once
// The "truevault" section of a fixture file (house-style §3.4). Schema (unknown keys are
// refused, errors name the file and JSON pointer):
//
//   "truevault": {
//     "accounts": [{"id": UUID, "name": "label"}],
//     "groups":   [{"id": UUID, "account_id": UUID, "name": "...", "policy": [statements],
//                   "user_ids": [UUID, ...]}],
//     "users":    [{"id": UUID, "account_id": UUID, "username": "...", "password": "...",
//                   "api_key": UUID, "status": "ACTIVATED", "attributes": {...},
//                   "created_at": "2017-01-15T09:30:00.000Z"}]
//   }
//
// password, api_key, status (default ACTIVATED), attributes (default {}) and created_at are
// optional. created_at (ISO-8601, or YYYY-MM-DD for midnight UTC; $tv.created_at of user
// search) is returned as written and parsed by the service, which defaults it to the load
// time (with --clock manual: the clock's start, 2026-01-01T00:00:00.000Z).

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
