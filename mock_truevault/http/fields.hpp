#pragma once
// Request fields of TrueVault's v1 endpoints (truevault-api.md 1.2, §10.2), whatever the
// encoding: multipart/form-data, application/x-www-form-urlencoded, a JSON object, or the
// query string of a POST/PUT with an empty body. A field is read from the body first, then
// from the query string (Flask's request.values). Field names are trimmed (the SDK sends
// "not_valid_after "). Unknown fields (_tv_sdk) are simply never asked for.
//
// In a JSON body a string value is the field's text; any other value keeps its JSON
// (attributes and policy may then be plain JSON instead of base64).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/form.hpp"
#include "common/http_util.hpp"
#include "common/result.hpp"
#include "mock_truevault/domain/errors.hpp"

namespace mock::truevault::http {

// The deepest nesting accepted in a client's JSON (a body, or a base64 attributes/policy
// document): deeper documents are refused before they are parsed (common/json_util.hpp).
inline constexpr std::size_t kMaxJsonDepth = 64;

class Fields {
 public:
  // 400 REQUEST.INVALID_JSON when a JSON body is malformed, not an object or nested deeper
  // than kMaxJsonDepth; 400 REQUEST.INVALID_PARAMETER when a form or query value is not UTF-8.
  static common::Result<Fields, ApiError> from(const common::RequestBody& body,
                                               const common::Form& query);

  bool has(std::string_view name) const { return find(name) != nullptr; }
  // The text of `name` (body first, then query).
  std::optional<std::string> text(std::string_view name) const;
  // The JSON value of `name` when it came from a JSON body as a non-string.
  std::optional<nlohmann::json> json(std::string_view name) const;

 private:
  struct Value {
    std::string text;
    std::optional<nlohmann::json> json;
  };
  const Value* find(std::string_view name) const;
  void add_body(const std::string& name, Value value);
  void add_query(const std::string& name, std::string text);

  std::vector<std::pair<std::string, Value>> body_;
  std::vector<std::pair<std::string, Value>> query_;
};

// A structured field (attributes, policy): plain JSON when the body was JSON, else base64 of
// JSON text, decoded leniently (whitespace and missing padding tolerated; 1.3). nullopt when
// absent; 400 REQUEST.INVALID_BASE64 naming the field when it does not decode to JSON.
common::Result<std::optional<nlohmann::json>, ApiError> json_field(const Fields& fields,
                                                                   std::string_view name);

// "true", "1", "01", "yes", "on" (any case) and other non-zero numbers are true; anything
// else, or absence, is false (the Ruby client sends full=01; 4.3).
bool truthy(const std::optional<std::string>& value);

// "a, b,,c" -> {"a", "b", "c"} (trimmed, empty pieces dropped; "" -> {}).
std::vector<std::string> split_ids(std::string_view text);

// A list of ids: a JSON array of strings, or comma-separated text. nullopt when absent;
// 400 REQUEST.INVALID_PARAMETER when a JSON value is not an array of strings.
common::Result<std::optional<std::vector<std::string>>, ApiError> id_list_field(
    const Fields& fields, std::string_view name);

}  // namespace mock::truevault::http
