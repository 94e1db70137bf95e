#include "mock_truevault/http/fields.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/json_util.hpp"

namespace mock::truevault::http {
namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

}  // namespace

common::Result<Fields, ApiError> Fields::from(const common::RequestBody& body,
                                              const common::Form& query) {
  Fields out;
  if (body.kind == common::RequestBody::Kind::kJson) {
    // An empty body with a JSON content type (the SDK's membership DELETE) has no fields.
    if (!trim(body.raw).empty()) {
      if (common::json_nesting_exceeds(body.raw, kMaxJsonDepth)) {
        return common::fail(errors::json_too_deep(kMaxJsonDepth));
      }
      auto doc = nlohmann::json::parse(body.raw, nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) {
        return common::fail(errors::invalid_json_body());
      }
      for (const auto& [key, value] : doc.items()) {
        if (value.is_string()) {
          out.add_body(key, Value{value.get<std::string>(), std::nullopt});
        } else {
          out.add_body(key, Value{value.dump(), value});
        }
      }
    }
  } else {
    for (const auto& [key, value] : body.fields.fields()) {
      // A JSON body with invalid UTF-8 is no JSON; a form's bytes are checked here, so no
      // stored name or attribute ever holds bytes a JSON answer cannot carry.
      if (!common::is_valid_utf8(key) || !common::is_valid_utf8(value)) {
        return common::fail(errors::invalid_parameter("body", "field values must be UTF-8 text"));
      }
      out.add_body(key, Value{value, {}});
    }
  }
  for (const auto& [key, value] : query.fields()) {
    if (!common::is_valid_utf8(key) || !common::is_valid_utf8(value)) {
      return common::fail(
          errors::invalid_parameter("query", "parameter values must be UTF-8 text"));
    }
    out.add_query(key, value);
  }
  return out;
}

void Fields::add_body(const std::string& name, Value value) {
  body_.emplace_back(trim(name), std::move(value));
}

void Fields::add_query(const std::string& name, std::string text) {
  query_.emplace_back(trim(name), Value{std::move(text), std::nullopt});
}

const Fields::Value* Fields::find(std::string_view name) const {
  for (const auto& [key, value] : body_) {
    if (key == name) return &value;
  }
  for (const auto& [key, value] : query_) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<std::string> Fields::text(std::string_view name) const {
  const Value* v = find(name);
  if (v == nullptr) return std::nullopt;
  return v->text;
}

std::optional<nlohmann::json> Fields::json(std::string_view name) const {
  const Value* v = find(name);
  if (v == nullptr) return std::nullopt;
  return v->json;
}

common::Result<std::optional<nlohmann::json>, ApiError> json_field(const Fields& fields,
                                                                   std::string_view name) {
  if (auto value = fields.json(name)) return std::optional<nlohmann::json>(*value);
  auto text = fields.text(name);
  if (!text) return std::optional<nlohmann::json>();
  auto decoded = common::base64_decode_lenient(*text);
  if (!decoded) return common::fail(errors::invalid_base64_json(name));
  if (common::json_nesting_exceeds(*decoded, kMaxJsonDepth)) {
    return common::fail(errors::invalid_parameter(
        name, fmt::format("JSON nested more than {} levels deep", kMaxJsonDepth)));
  }
  auto doc = nlohmann::json::parse(*decoded, nullptr, false);
  if (doc.is_discarded()) return common::fail(errors::invalid_base64_json(name));
  return std::optional<nlohmann::json>(std::move(doc));
}

bool truthy(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string v = trim(*value);
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "true" || v == "yes" || v == "on" || v == "t" || v == "y") return true;
  if (!v.empty() &&
      std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return v.find_first_not_of('0') != std::string::npos;
  }
  return false;
}

std::vector<std::string> split_ids(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string piece = trim(text.substr(start, comma - start));
    if (!piece.empty()) out.push_back(std::move(piece));
    start = comma + 1;
  }
  return out;
}

common::Result<std::optional<std::vector<std::string>>, ApiError> id_list_field(
    const Fields& fields, std::string_view name) {
  if (auto value = fields.json(name)) {
    std::vector<std::string> out;
    if (!value->is_array()) {
      return common::fail(errors::invalid_parameter(name, "must be an array of ids"));
    }
    for (const auto& v : *value) {
      if (!v.is_string()) {
        return common::fail(errors::invalid_parameter(name, "must be an array of ids"));
      }
      out.push_back(v.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }
  auto text = fields.text(name);
  if (!text) return std::optional<std::vector<std::string>>();
  return std::optional<std::vector<std::string>>(split_ids(*text));
}

}  // namespace mock::truevault::http
