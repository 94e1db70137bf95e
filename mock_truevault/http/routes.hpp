#pragma once
// Handlers of mock_truevault, grouped by resource (auth_, users_, groups_,
// messaging_routes.cpp). Each does three things: parse -> call the domain -> render.
// The route table that binds them to paths is in service.cpp.

#include <memory>
#include <optional>

#include <httplib.h>
#include <spdlog/logger.h>

#include "common/ids.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/groups.hpp"
#include "mock_truevault/domain/messaging.hpp"
#include "mock_truevault/domain/users.hpp"
#include "mock_truevault/http/fields.hpp"

namespace mock::truevault::http {

// What handlers need; references owned by the service.
struct Deps {
  common::IdGenerator& ids;
  Auth& auth;
  Users& users;
  Groups& groups;
  Messaging& messaging;
  std::shared_ptr<spdlog::logger> log;
};

using Request = httplib::Request;
using Response = httplib::Response;
using Reader = httplib::ContentReader;

// Shared steps (routes_common in serialize.cpp's neighbour, auth_routes.cpp).
// The caller, or nullopt after writing the 401.
std::optional<Principal> authenticate(Deps& d, const Request& req, Response& res);
// The request's fields (body then query), or nullopt after writing the 400/413.
std::optional<Fields> read_fields(Deps& d, const Request& req, Response& res, const Reader& reader);
// Parses an ISO-8601 field; nullopt value when absent; false after writing a 400.
bool read_time_field(Deps& d, Response& res, const Fields& fields, std::string_view name,
                     std::optional<common::TimePoint>& out);

// auth_routes.cpp
void login(Deps& d, const Request& req, Response& res, const Reader& reader);
void logout(Deps& d, const Request& req, Response& res);
void read_current_user(Deps& d, const Request& req, Response& res);
void update_current_user(Deps& d, const Request& req, Response& res, const Reader& reader);

// users_routes.cpp
void create_user(Deps& d, const Request& req, Response& res, const Reader& reader);
void list_users(Deps& d, const Request& req, Response& res);
void read_user(Deps& d, const Request& req, Response& res);
void read_users(Deps& d, const Request& req, Response& res);
void search_users(Deps& d, const Request& req, Response& res, const Reader& reader);
void update_user(Deps& d, const Request& req, Response& res, const Reader& reader);
void delete_user(Deps& d, const Request& req, Response& res);
void create_user_api_key(Deps& d, const Request& req, Response& res, const Reader& reader);
void create_user_access_token(Deps& d, const Request& req, Response& res, const Reader& reader);

// groups_routes.cpp
void create_group(Deps& d, const Request& req, Response& res, const Reader& reader);
void list_groups(Deps& d, const Request& req, Response& res);
void read_group(Deps& d, const Request& req, Response& res);
void update_group(Deps& d, const Request& req, Response& res, const Reader& reader);
void delete_group(Deps& d, const Request& req, Response& res);
void add_users_to_group(Deps& d, const Request& req, Response& res, const Reader& reader);
void remove_users_from_group(Deps& d, const Request& req, Response& res);

// messaging_routes.cpp
void send_sms(Deps& d, const Request& req, Response& res, const Reader& reader);
// GET / DELETE /_mock/messages: the outbox (test inspection API, not TrueVault's).
void list_outbox(Deps& d, const Request& req, Response& res);
void clear_outbox(Deps& d, const Request& req, Response& res);

}  // namespace mock::truevault::http
