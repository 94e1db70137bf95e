// Auth endpoints (truevault-api.md §3) and the request steps every handler shares.

#include "common/control_plane.hpp"
#include "common/http_util.hpp"
#include "mock_truevault/http/routes.hpp"
#include "mock_truevault/http/serialize.hpp"

namespace mock::truevault::http {

std::optional<Principal> authenticate(Deps& d, const Request& req, Response& res) {
  std::optional<Credential> credential;
  if (const std::string* header = common::find_header(req.headers, "Authorization")) {
    if (auto basic = common::parse_basic_auth(header->c_str())) {  // as get_header_value()
      credential = Credential{basic->username, basic->password};
    }
  }
  auto principal = d.auth.authenticate(credential);
  if (!principal) {
    write_error(d.ids, res, principal.error());
    return std::nullopt;
  }
  return std::move(*principal);
}

std::optional<Fields> read_fields(Deps& d, const Request& req, Response& res,
                                  const Reader& reader) {
  auto body = common::read_body(req, reader);
  if (!body) {
    write_error(d.ids, res,
                body.error() == common::BodyError::kTooLarge
                    ? errors::body_too_large()
                    : errors::invalid_parameter("body", "malformed request body"));
    return std::nullopt;
  }
  auto fields = Fields::from(*body, common::query_params(req));
  if (!fields) {
    write_error(d.ids, res, fields.error());
    return std::nullopt;
  }
  return std::move(*fields);
}

bool read_time_field(Deps& d, Response& res, const Fields& fields, std::string_view name,
                     std::optional<common::TimePoint>& out) {
  out.reset();
  auto text = fields.text(name);
  if (!text || text->empty()) return true;
  out = common::parse_iso8601(*text);
  if (!out) {
    write_error(d.ids, res,
                errors::invalid_parameter(name,
                                          "must be an ISO-8601 time such as "
                                          "2026-01-01T12:00:00.000Z"));
    return false;
  }
  return true;
}

void login(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  LoginRequest request;
  for (auto [name, target] :
       {std::pair{"account_id", &request.account_id}, std::pair{"username", &request.username},
        std::pair{"password", &request.password}}) {
    auto value = fields->text(name);
    if (!value || value->empty()) return write_error(d.ids, res, errors::missing_parameter(name));
    *target = *value;
  }
  if (!read_time_field(d, res, *fields, "not_valid_after", request.not_valid_after)) return;
  auto result = d.auth.login(request);
  if (!result) return write_error(d.ids, res, result.error());
  auto user = user_json(result->user);
  user["access_token"] = result->access_token;
  write_success(d.ids, res, {{"user", user}});
}

void logout(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  write_success(d.ids, res, {{"logout", user_json(d.auth.logout(*caller))}});
}

void read_current_user(Deps& d, const Request& req, Response& res) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  const bool full = truthy(common::query_params(req).get("full"));
  write_success(d.ids, res, {{"user", user_json(caller->user, {.full = full})}});
}

void update_current_user(Deps& d, const Request& req, Response& res, const Reader& reader) {
  auto caller = authenticate(d, req, res);
  if (!caller) return;
  auto fields = read_fields(d, req, res, reader);
  if (!fields) return;
  auto attributes = json_field(*fields, "attributes");
  if (!attributes) return write_error(d.ids, res, attributes.error());
  if (!*attributes) return write_error(d.ids, res, errors::missing_parameter("attributes"));
  auto user = d.users.update_current_user(*caller, **attributes);
  if (!user) return write_error(d.ids, res, user.error());
  const bool full = truthy(common::query_params(req).get("full"));
  write_success(d.ids, res, {{"user", user_json(*user, {.full = full})}});
}

}  // namespace mock::truevault::http
