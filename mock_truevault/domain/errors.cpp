#include "mock_truevault/domain/errors.hpp"

#include <fmt/format.h>

namespace mock::truevault::errors {
namespace {

ApiError make(int status, std::string_view code, std::string message) {
  return ApiError{status, std::string(code), std::move(message)};
}

}  // namespace

ApiError missing_credentials() {
  return make(401, "AUTH.UNAUTHORIZED",
              "Authentication required: send an API key or access token as the HTTP Basic "
              "username with an empty password");
}
ApiError invalid_credentials() {
  return make(401, "AUTH.INVALID_CREDENTIALS", "Invalid API key or access token");
}
ApiError token_expired() { return make(401, "AUTH.TOKEN_EXPIRED", "Access token has expired"); }
ApiError token_revoked() {
  return make(401, "AUTH.TOKEN_REVOKED", "Access token is no longer valid (logged out)");
}
ApiError login_failed() {
  return make(401, "AUTH.INVALID_CREDENTIALS", "Invalid account_id, username or password");
}
ApiError scoped_tokens_unsupported() {
  return make(401, "AUTH.UNAUTHORIZED",
              "Invalid credentials: scoped access tokens (username:password) are not supported "
              "by this mock; send an API key or access token with an empty password");
}

ApiError forbidden(char activity, std::string_view resource) {
  return make(403, "AUTH.FORBIDDEN",
              fmt::format("Not authorized: the caller's group policies do not grant {} on {}",
                          activity, resource));
}

ApiError user_not_found(std::string_view id) {
  return make(404, "USER.NOT_FOUND", fmt::format("User {} does not exist", id));
}
ApiError group_not_found(std::string_view id) {
  return make(404, "GROUP.NOT_FOUND", fmt::format("Group {} does not exist", id));
}
ApiError route_not_found(std::string_view method, std::string_view path) {
  return make(404, "REQUEST.NOT_FOUND", fmt::format("No such endpoint: {} {}", method, path));
}

ApiError missing_parameter(std::string_view name) {
  return make(400, "REQUEST.MISSING_PARAMETER",
              fmt::format("Missing required parameter: {}", name));
}
ApiError invalid_parameter(std::string_view name, std::string_view why) {
  return make(400, "REQUEST.INVALID_PARAMETER", fmt::format("Invalid {}: {}", name, why));
}
ApiError invalid_base64_json(std::string_view name) {
  return make(400, "REQUEST.INVALID_BASE64", fmt::format("{} must be base64-encoded JSON", name));
}
ApiError invalid_json_body() {
  return make(400, "REQUEST.INVALID_JSON", "Request body must be a JSON object");
}
ApiError json_too_deep(std::size_t max_depth) {
  return make(
      400, "REQUEST.INVALID_JSON",
      fmt::format("Request body must be a JSON object nested at most {} levels deep", max_depth));
}
ApiError invalid_status(std::string_view value) {
  return make(400, "USER.INVALID_STATUS",
              fmt::format("Invalid status '{}': expected ACTIVATED, PENDING or LOCKED", value));
}
ApiError username_in_use(std::string_view username) {
  return make(400, "USER.USERNAME_IN_USE",
              fmt::format("Username '{}' is already in use in this account", username));
}
ApiError group_name_in_use(std::string_view name) {
  return make(400, "GROUP.NAME_IN_USE",
              fmt::format("Group name '{}' is already in use in this account", name));
}
ApiError invalid_policy(std::string_view why) {
  return make(400, "GROUP.INVALID_POLICY", fmt::format("Invalid policy: {}", why));
}
ApiError invalid_operation(std::string_view value) {
  return make(400, "GROUP.INVALID_OPERATION",
              fmt::format("Invalid operation '{}': expected APPEND or REMOVE", value));
}
ApiError invalid_provider(std::string_view expected) {
  return make(400, "MESSAGE.INVALID_PROVIDER",
              fmt::format("Invalid provider: this endpoint supports only {}", expected));
}
ApiError invalid_value_specifier(std::string_view field) {
  return make(400, "MESSAGE.INVALID_VALUE_SPECIFIER",
              fmt::format("{} must be a value specifier: {{\"literal_value\": \"...\"}} or "
                          "{{\"user_attribute\": \"...\"}}",
                          field));
}
ApiError attribute_missing(std::string_view attribute) {
  return make(400, "MESSAGE.ATTRIBUTE_MISSING",
              fmt::format("The user has no attribute '{}'", attribute));
}
ApiError attribute_not_string(std::string_view attribute) {
  return make(400, "MESSAGE.ATTRIBUTE_INVALID",
              fmt::format("The user's attribute '{}' is not a string or number", attribute));
}
ApiError provider_error(int provider_code, std::string_view provider_message) {
  return make(400, "MESSAGE.PROVIDER_ERROR",
              fmt::format("Twilio error {}: {}", provider_code, provider_message));
}

ApiError body_too_large() { return make(413, "REQUEST.TOO_LARGE", "Request body is too large"); }

ApiError provider_unreachable(std::string_view detail) {
  return make(502, "MESSAGE.PROVIDER_UNAVAILABLE",
              fmt::format("Could not reach Twilio: {}", detail));
}
ApiError provider_timeout(long long timeout_ms) {
  return make(504, "MESSAGE.PROVIDER_TIMEOUT",
              fmt::format("Twilio did not answer within {} ms", timeout_ms));
}
ApiError provider_bad_response(std::string_view detail) {
  return make(502, "MESSAGE.PROVIDER_BAD_RESPONSE",
              fmt::format("Unexpected response from Twilio: {}", detail));
}

ApiError internal_error() { return make(500, "SERVER.INTERNAL_ERROR", "Internal server error"); }

}  // namespace mock::truevault::errors
