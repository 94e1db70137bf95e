#include "mock_truevault/http/serialize.hpp"

#include <algorithm>

#include "common/control_plane.hpp"
#include "common/crypto.hpp"
#include "common/http_util.hpp"

namespace mock::truevault::http {

nlohmann::json user_json(const User& user, UserView view) {
  nlohmann::json out = {
      {"account_id", user.account_id},
      {"id", user.id},
      {"user_id", user.id},
      {"username", user.username},
      {"status", to_string(user.status)},
      {"mfa_enrolled", user.mfa_enrolled},
  };
  if (view.full) {
    // v1 carries attributes as base64 of the JSON text (1.3); v2 as plain JSON (4.4).
    out["attributes"] =
        view.v2 ? user.attributes : nlohmann::json(common::base64_encode(user.attributes.dump()));
    out["group_ids"] = user.group_ids;
  }
  return out;
}

nlohmann::json group_json(const Group& group, bool with_user_ids) {
  nlohmann::json out = {
      {"group_id", group.id}, {"id", group.id}, {"name", group.name}, {"policy", group.policy}};
  if (with_user_ids) out["user_ids"] = group.user_ids;
  return out;
}

nlohmann::json search_json(const SearchPage& page) {
  nlohmann::json documents = nlohmann::json::array();
  for (const auto& hit : page.documents) {
    nlohmann::json doc = {{"id", hit.id}};
    if (hit.attributes) doc["attributes"] = common::base64_encode(hit.attributes->dump());
    documents.push_back(std::move(doc));
  }
  return {{"documents", std::move(documents)},
          {"info",
           {{"current_page", page.current_page},
            {"num_pages", page.num_pages},
            {"per_page", page.per_page},
            {"total_result_count", page.total_result_count}}}};
}

nlohmann::json outbox_json(const std::vector<OutboxEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json item = {
        {"seq", e.seq},
        {"created_at", common::format_iso8601(e.created_at)},
        {"user_id", e.user_id},
        {"provider", e.provider},
        {"account_sid", e.account_sid},
        {"from", e.from},
        {"to", e.to},
        {"body", e.body},
        {"media_urls", e.media_urls},
        {"provider_message_id",
         e.provider_message_id ? nlohmann::json(*e.provider_message_id) : nlohmann::json()},
        {"result", e.result},
        {"error", nlohmann::json()},
    };
    if (e.error_code) {
      item["error"] = {{"code", *e.error_code}, {"message", e.error_message.value_or("")}};
    }
    list.push_back(std::move(item));
  }
  return {{"messages", list}, {"count", entries.size()}};
}

void write_success(common::IdGenerator& ids, httplib::Response& res, nlohmann::json body) {
  body["result"] = "success";
  body["transaction_id"] = ids.uuid4();
  common::write_json(res, 200, body);
}

void write_sms_sent(common::IdGenerator& ids, httplib::Response& res, const std::string& sid) {
  const bool plain = std::all_of(sid.begin(), sid.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) return write_success(ids, res, {{"provider_message_id", sid}});
  // nlohmann's order (its objects are sorted maps) and compact form.
  std::string body = R"({"provider_message_id":")";
  body.reserve(body.size() + sid.size() + 64);
  body += sid;
  body += R"(","result":"success","transaction_id":")";
  body += ids.uuid4();
  body += R"("})";
  res.status = 200;
  res.set_content(body, "application/json");
}

void write_error(common::IdGenerator& ids, httplib::Response& res, const ApiError& error) {
  // The same dotted identifier in code and type (truevault-api.md 2.3).
  common::write_json(
      res, error.http_status,
      {{"error", {{"code", error.code}, {"message", error.message}, {"type", error.code}}},
       {"result", "error"},
       {"transaction_id", ids.uuid4()}});
}

}  // namespace mock::truevault::http
