#pragma once
// TrueVault's wire format (truevault-api.md §1.3, 1.4, §2): the one place that writes
// envelopes, base64 attributes and timestamps.
//
//   success: {"result": "success", "transaction_id": UUID, <resource key>: ...}
//   error:   {"error": {"code", "message", "type"}, "result": "error", "transaction_id": UUID}
//
// Keys are sorted (nlohmann::json objects), as the 2016 server wrote them. Every response
// gets a fresh transaction id from the service's IdGenerator.

#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "mock_truevault/domain/errors.hpp"
#include "mock_truevault/domain/model.hpp"
#include "mock_truevault/domain/search.hpp"

namespace mock::truevault::http {

struct UserView {
  bool full = false;  // attributes and group_ids
  bool v2 = false;    // attributes as plain JSON instead of base64
};
// {account_id, id, user_id, username, status, mfa_enrolled[, attributes, group_ids]}
nlohmann::json user_json(const User& user, UserView view = {});
// {group_id, id, name, policy[, user_ids]}
nlohmann::json group_json(const Group& group, bool with_user_ids);
// User search's `data` (4.10): {"documents": [{"id"[, "attributes" (base64)]}],
// "info": {"current_page", "num_pages", "per_page", "total_result_count"}}.
nlohmann::json search_json(const SearchPage& page);
// The Messaging-API outbox for GET /_mock/messages.
nlohmann::json outbox_json(const std::vector<OutboxEntry>& entries);

// 200 with `body` plus result and transaction_id.
void write_success(common::IdGenerator& ids, httplib::Response& res, nlohmann::json body);
void write_error(common::IdGenerator& ids, httplib::Response& res, const ApiError& error);
// The SMS answer, write_success(ids, res, {{"provider_message_id", sid}}) byte for byte, written
// without building a DOM when the SID needs no escaping (serialize_test.cpp).
void write_sms_sent(common::IdGenerator& ids, httplib::Response& res, const std::string& sid);

}  // namespace mock::truevault::http
