// Groups endpoints (truevault-api.md §5). Path captures: matches[1] = group id,
// matches[2] = comma-separated user ids (membership DELETE).

#include "common/http_util.hpp"
#include "mock_truevault/http/routes.hpp"
#include "mock_truevault/http/serialize.hpp"

namespace mock::truevault::http {
namespace {

// The policy field: base64 JSON (or plain JSON in a JSON body); "" means [] (RB16
// create_group: an empty policy= was stored as []). nullopt when absent; false after
// writing the 400.
bool read_policy(Deps& d, Response& res, const Fields& fields, std::optional<nlohmann::json>& out) {
  out.reset();
  if (auto text = fields.text("policy"); text && text->empty() && !fields.json("policy")) {
    out = nlohmann::json::array();
    return true;
  }
  auto policy = json_field(fields, "policy");
  if (!policy) {
    write_error(d.ids, res, policy.error());
    return false;
  }
  out = *policy;
  return true;
}

}  // namespace

void create_group(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  CreateGroupRequest request;
  auto name = fields->text("name");
  if (!name || name->empty()) return write_error(d.ids, res, errors::missing_parameter("name"));
  request.name = *name;
  std::optional<nlohmann::json> policy;
  if (!read_policy(d, res, *fields, policy)) return;
  if (policy) request.policy = *policy;
  auto user_ids = id_list_field(*fields, "user_ids");
  if (!user_ids) return write_error(d.ids, res, user_ids.error());
  if (*user_ids) request.user_ids = **user_ids;
  auto group = d.groups.create_group(*caller, request);
  if (!group) return write_error(d.ids, res, group.error());
  write_success(d.ids, res, {{"group", group_json(*group, true)}});
}

void list_groups(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto groups = d.groups.list_groups(*caller);
  if (!groups) return write_error(d.ids, res, groups.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : *groups) list.push_back(group_json(g, false));
  write_success(d.ids, res, {{"groups", list}});
}

void read_group(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto group = d.groups.read_group(*caller, req.matches[1]);
  if (!group) return write_error(d.ids, res, group.error());
  const bool full = truthy(common::query_params(req).get("full"));
  write_success(d.ids, res, {{"group", group_json(*group, full)}});
}

void update_group(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  UpdateGroupRequest request;
  request.name = fields->text("name");
  if (!read_policy(d, res, *fields, request.policy)) return;
  auto user_ids = id_list_field(*fields, "user_ids");
  if (!user_ids) return write_error(d.ids, res, user_ids.error());
  request.user_ids = *user_ids;
  if (auto op = fields->text("operation"); op && !op->empty()) {
    auto parsed = parse_membership_operation(*op);
    if (!parsed) return write_error(d.ids, res, errors::invalid_operation(*op));
    request.operation = *parsed;
  }
  auto group = d.groups.update_group(*caller, req.matches[1], request);
  if (!group) return write_error(d.ids, res, group.error());
  write_success(d.ids, res, {{"group", group_json(*group, true)}});
}

void delete_group(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto group = d.groups.delete_group(*caller, req.matches[1]);
  if (!group) return write_error(d.ids, res, group.error());
  write_success(d.ids, res, {{"group", group_json(*group, false)}});
}

void add_users_to_group(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  auto user_ids = id_list_field(*fields, "user_ids");
  if (!user_ids) return write_error(d.ids, res, user_ids.error());
  if (!*user_ids || (*user_ids)->empty()) {
    return write_error(d.ids, res, errors::missing_parameter("user_ids"));
  }
  auto group = d.groups.add_users_to_group(*caller, req.matches[1], **user_ids);
  if (!group) return write_error(d.ids, res, group.error());
  write_success(d.ids, res, {{"group", group_json(*group, true)}});
}

void remove_users_from_group(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  const auto user_ids = split_ids(req.matches[2].str());
  if (user_ids.empty()) return write_error(d.ids, res, errors::missing_parameter("user_ids"));
  auto group = d.groups.remove_users_from_group(*caller, req.matches[1], user_ids);
  if (!group) return write_error(d.ids, res, group.error());
  write_success(d.ids, res, {{"group", group_json(*group, true)}});
}

}  // namespace mock::truevault::http
