#pragma once
// TrueVault's entities as the domain sees them (truevault-api.md §4.1, §5.1). Plain values:
// attributes and policies stay JSON (vendor data); base64 belongs to http/serialize only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace mock::truevault {

// truevault-api.md 4.1: ACTIVATED, PENDING, LOCKED, DEACTIVATED.
enum class UserStatus { kActivated, kPending, kLocked, kDeactivated };
std::string to_string(UserStatus status);
std::optional<UserStatus> parse_user_status(std::string_view text);

struct Account {
  std::string id;
  std::string name;
};

struct User {
  std::string id;
  std::string account_id;
  std::string username;
  std::optional<std::string> password_hash;  // sha256 hex; nullopt = cannot log in (4.2)
  UserStatus status = UserStatus::kActivated;
  nlohmann::json attributes = nlohmann::json::object();  // any JSON value, null included (1.3)
  std::optional<std::string> api_key;  // the one valid API key; rotation replaces it (3.2)
  bool mfa_enrolled = false;
  std::vector<std::string> group_ids;  // memberships, in join order
  // Creation time ($tv.created_at of user search; not served in user JSON: no source shows
  // it there, 1.6). Fixture users: the fixture's created_at, else the load time.
  common::TimePoint created_at{};
};

struct Group {
  std::string id;
  std::string account_id;
  std::string name;
  nlohmann::json policy = nlohmann::json::array();  // echoed exactly as written (5.1)
  std::vector<std::string> user_ids;                // in join order
};

struct AccessToken {
  std::string token;
  std::string user_id;
  common::TimePoint not_valid_after;
  bool revoked = false;
};

// Who is calling: the user behind an API key or an access token.
struct Principal {
  User user;
  std::optional<std::string> access_token;  // set when the credential was an access token
};

// One entry of the Messaging-API outbox (GET /_mock/messages): what TrueVault forwarded.
struct OutboxEntry {
  std::int64_t seq = 0;
  common::TimePoint created_at;
  std::string user_id;
  std::string provider;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string body;
  std::vector<std::string> media_urls;
  std::optional<std::string> provider_message_id;
  std::string result;  // "success" or "error"
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
};

// The "truevault" section of a fixture, parsed.
struct FixtureData {
  struct FixtureUser {
    User user;
    std::optional<std::string> password;  // clear text in the fixture, hashed in the store
    // created_at as written in the fixture (ISO-8601); the service parses it into
    // user.created_at, or sets the load time when absent.
    std::optional<std::string> created_at;
  };
  std::vector<Account> accounts;
  std::vector<FixtureUser> users;
  std::vector<Group> groups;  // user_ids = initial members
};

}  // namespace mock::truevault
