#pragma once
// TrueVault's error catalogue (house-style §3.3): the ONLY place that pairs an error with an
// HTTP status. Rendered by http/serialize as
//   {"error": {"code": C, "message": M, "type": C}, "result": "error", "transaction_id": ...}
// Codes are dotted NAMESPACE.REASON identifiers, the same in `code` and `type`
// (truevault-api.md 2.3: only USER.MFA_CODE_REQUIRED was observed, in `type`; the rest of
// the names follow the contract's [INFERRED] list). Statuses per contract 2.4: 401 auth,
// 403 policy, 404 unknown ids, 400 bad input.
//
// Messages never contain a user's attribute values, passwords, keys or tokens.

#include <cstddef>
#include <string>
#include <string_view>

namespace mock::truevault {

struct ApiError {
  int http_status = 500;
  std::string code;  // also the `type`
  std::string message;
};

namespace errors {

// 401
ApiError missing_credentials();
ApiError invalid_credentials();
ApiError token_expired();
ApiError token_revoked();
ApiError login_failed();
ApiError scoped_tokens_unsupported();
// 403
ApiError forbidden(char activity, std::string_view resource);
// 404
ApiError user_not_found(std::string_view id);
ApiError group_not_found(std::string_view id);
ApiError route_not_found(std::string_view method, std::string_view path);
// 400
ApiError missing_parameter(std::string_view name);
ApiError invalid_parameter(std::string_view name, std::string_view why);
ApiError invalid_base64_json(std::string_view name);
ApiError invalid_json_body();
ApiError json_too_deep(std::size_t max_depth);
ApiError invalid_status(std::string_view value);
ApiError username_in_use(std::string_view username);
ApiError group_name_in_use(std::string_view name);
ApiError invalid_policy(std::string_view why);
ApiError invalid_operation(std::string_view value);
ApiError invalid_provider(std::string_view expected);
ApiError invalid_value_specifier(std::string_view field);
ApiError attribute_missing(std::string_view attribute);
ApiError attribute_not_string(std::string_view attribute);
ApiError provider_error(int provider_code, std::string_view provider_message);
// 413
ApiError body_too_large();
// 502 / 504
ApiError provider_unreachable(std::string_view detail);
ApiError provider_timeout(long long timeout_ms);
ApiError provider_bad_response(std::string_view detail);
// 500
ApiError internal_error();

}  // namespace errors
}  // namespace mock::truevault
