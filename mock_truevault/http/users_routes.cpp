// Users endpoints (truevault-api.md §4). Path captures: matches[1] = user id (or the
// comma-separated ids of GET /v2/users/{ids}).

#include "common/control_plane.hpp"
#include "common/http_util.hpp"
#include "mock_truevault/http/routes.hpp"
#include "mock_truevault/http/serialize.hpp"

namespace mock::truevault::http {
namespace {

// A status field: nullopt when absent; false after writing the 400. DEACTIVATED is only
// reachable through DELETE.
bool read_status(Deps& d, Response& res, const Fields& fields, std::optional<UserStatus>& out) {
  out.reset();
  auto text = fields.text("status");
  if (!text) return true;
  auto status = parse_user_status(*text);
  if (!status || *status == UserStatus::kDeactivated) {
    write_error(d.ids, res, errors::invalid_status(*text));
    return false;
  }
  out = status;
  return true;
}

bool full_of(const Request& req) { return truthy(common::query_params(req).get("full")); }

}  // namespace

void create_user(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  CreateUserRequest request;
  auto username = fields->text("username");
  if (!username || username->empty()) {
    return write_error(d.ids, res, errors::missing_parameter("username"));
  }
  request.username = *username;
  request.password = fields->text("password");
  auto attributes = json_field(*fields, "attributes");
  if (!attributes) return write_error(d.ids, res, attributes.error());
  if (*attributes) request.attributes = **attributes;
  auto group_ids = id_list_field(*fields, "group_ids");
  if (!group_ids) return write_error(d.ids, res, group_ids.error());
  if (*group_ids) request.group_ids = **group_ids;
  std::optional<UserStatus> status;
  if (!read_status(d, res, *fields, status)) return;
  request.status = status.value_or(UserStatus::kActivated);
  if (!read_time_field(d, res, *fields, "access_token_not_valid_after",
                       request.access_token_not_valid_after)) {
    return;
  }
  auto created = d.users.create_user(*caller, request);
  if (!created) return write_error(d.ids, res, created.error());
  auto user = user_json(created->user, {.full = full_of(req)});
  user["api_key"] = created->api_key;
  user["access_token"] = created->access_token;
  user["access_key"] = nullptr;  // legacy key pair, null in the 2016 recording (4.1)
  write_success(d.ids, res, {{"user", user}});
}

void list_users(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  const auto query = common::query_params(req);
  std::optional<UserStatus> status;
  if (auto text = query.get("status"); text && !text->empty()) {
    status = parse_user_status(*text);
    if (!status) {
      return write_error(d.ids, res,
                         errors::invalid_parameter(
                             "status", "expected ACTIVATED, DEACTIVATED, PENDING or LOCKED"));
    }
  }
  auto users = d.users.list_users(*caller, status);
  if (!users) return write_error(d.ids, res, users.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& u : *users) list.push_back(user_json(u, {.full = truthy(query.get("full"))}));
  write_success(d.ids, res, {{"users", list}});
}

void read_user(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto user = d.users.read_user(*caller, req.matches[1]);
  if (!user) return write_error(d.ids, res, user.error());
  write_success(d.ids, res, {{"user", user_json(*user, {.full = full_of(req)})}});
}

void read_users(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  const auto ids = split_ids(req.matches[1].str());
  if (ids.empty()) return write_error(d.ids, res, errors::missing_parameter("user_ids"));
  auto users = d.users.read_users(*caller, ids);
  if (!users) return write_error(d.ids, res, users.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& u : *users) list.push_back(user_json(u, {.full = full_of(req), .v2 = true}));
  write_success(d.ids, res, {{"users", list}});
}

void search_users(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  // base64 JSON in a form (the SDK's multipart, the guide's curl -d), or plain JSON / base64
  // text in a JSON body (1.2).
  auto option = json_field(*fields, "search_option");
  if (!option) return write_error(d.ids, res, option.error());
  if (!*option) return write_error(d.ids, res, errors::missing_parameter("search_option"));
  auto query = parse_search_option(**option, common::parse_iso8601);
  if (!query) return write_error(d.ids, res, query.error());
  auto page = d.users.search_users(*caller, *query);
  if (!page) return write_error(d.ids, res, page.error());
  write_success(d.ids, res, {{"data", search_json(*page)}});
}

void update_user(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  UpdateUserRequest request;
  request.username = fields->text("username");
  request.password = fields->text("password");
  auto attributes = json_field(*fields, "attributes");
  if (!attributes) return write_error(d.ids, res, attributes.error());
  request.attributes = *attributes;
  if (!read_status(d, res, *fields, request.status)) return;
  auto user = d.users.update_user(*caller, req.matches[1], request);
  if (!user) return write_error(d.ids, res, user.error());
  write_success(d.ids, res, {{"user", user_json(*user, {.full = full_of(req)})}});
}

void delete_user(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto user = d.users.delete_user(*caller, req.matches[1]);
  if (!user) return write_error(d.ids, res, user.error());
  write_success(d.ids, res, {{"user", user_json(*user)}});
}

void create_user_api_key(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  if (!read_fields(d, req, res, reader)) return;  // drains any body
  auto key = d.users.create_user_api_key(*caller, req.matches[1]);
  if (!key) return write_error(d.ids, res, key.error());
  write_success(d.ids, res, {{"api_key", *key}});  // top-level key (4.8)
}

void create_user_access_token(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  std::optional<common::TimePoint> not_valid_after;
  if (!read_time_field(d, res, *fields, "not_valid_after", not_valid_after)) return;
  auto issued = d.users.create_user_access_token(*caller, req.matches[1], not_valid_after);
  if (!issued) return write_error(d.ids, res, issued.error());
  auto user = user_json(issued->user);
  user["access_token"] = issued->access_token;
  write_success(d.ids, res, {{"user", user}});
}

}  // namespace mock::truevault::http
