#include "common/fixtures.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "common/json_util.hpp"

namespace mock::common {
namespace {

const nlohmann::json& empty_array() {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  return kEmpty;
}

}  // namespace

Result<FixtureFile, std::string> read_fixture_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: cannot read fixture file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  FixtureFile f{path, nlohmann::json()};
  try {
    f.doc = nlohmann::json::parse(ss.str(), nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number past double (1e400): e.what() names the
    // byte offset or the number and the problem; no internals to hide at start-up.
    return fail(fmt::format("{}: invalid JSON: {}", path, e.what()));
  }
  if (!f.doc.is_object()) return fail(fmt::format("{}: /: must be a JSON object", path));
  for (const auto& [key, value] : f.doc.items()) {
    if (key != "description" && key != "truevault" && key != "twilio") {
      return fail(
          fmt::format("{}: /{}: unknown key (expected description, truevault, twilio)", path, key));
    }
    if (key == "description" && !value.is_string()) {
      return fail(fmt::format("{}: /description: must be a string", path));
    }
    if (key != "description" && !value.is_object()) {
      return fail(fmt::format("{}: /{}: must be an object", path, key));
    }
  }
  return f;
}

Result<std::string, std::string> fixture_path_for_name(const std::string& dir,
                                                       const std::string& name) {
  static const std::regex kName("[a-z0-9_-]+");
  if (!std::regex_match(name, kName)) {
    return fail(fmt::format("fixture name '{}' must match [a-z0-9_-]+", name));
  }
  const auto path = std::filesystem::path(dir) / (name + ".json");
  if (!std::filesystem::exists(path)) {
    return fail(fmt::format("fixture '{}' not found in {}", name, dir));
  }
  return path.string();
}

Result<std::string, std::string> resolve_reset_fixture(const std::string& startup_path,
                                                       const std::optional<std::string>& name) {
  if (!name) return startup_path;
  const auto dir = std::filesystem::path(startup_path).parent_path().string();
  return fixture_path_for_name(dir.empty() ? "." : dir, *name);
}

void FixtureErrors::add(const std::string& pointer, const std::string& problem) {
  if (!first_) first_ = fmt::format("{}: {}: {}", file_, pointer.empty() ? "/" : pointer, problem);
}

const std::regex& FixtureErrors::compiled(const std::string& pattern) {
  auto it = patterns_.find(pattern);
  if (it == patterns_.end()) it = patterns_.emplace(pattern, std::regex(pattern)).first;
  return it->second;
}

FixtureReader::FixtureReader(const nlohmann::json& value, std::string pointer,
                             FixtureErrors& errors)
    : value_(value), pointer_(std::move(pointer)), errors_(errors), is_object_(value.is_object()) {
  if (!is_object_) errors_.add(pointer_, "must be a JSON object");
}

FixtureReader::~FixtureReader() {
  if (!is_object_) return;
  for (const auto& [key, v] : value_.items()) {
    if (!seen_.contains(key)) errors_.add(pointer(key), "unknown key");
  }
}

std::string FixtureReader::pointer(const std::string& key) const {
  return pointer_ + "/" + json_pointer_token(key);
}

void FixtureReader::error(const std::string& key, const std::string& problem) {
  errors_.add(pointer(key), problem);
}

const nlohmann::json* FixtureReader::find(const std::string& key) {
  seen_.insert(key);
  if (!is_object_) return nullptr;
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

std::string FixtureReader::required_string(const std::string& key) {
  const auto* v = find(key);
  if (v == nullptr) {
    errors_.add(pointer(key), "required");
    return {};
  }
  if (!v->is_string()) {
    errors_.add(pointer(key), "must be a string");
    return {};
  }
  return v->get<std::string>();
}

std::string FixtureReader::required_string(const std::string& key, const std::string& pattern,
                                           const std::string& what) {
  std::string s = required_string(key);
  if (errors_.ok() && !std::regex_match(s, errors_.compiled(pattern))) {
    errors_.add(pointer(key), fmt::format("'{}' is not {} (must match {})", s, what, pattern));
  }
  return s;
}

std::optional<std::string> FixtureReader::optional_string(const std::string& key) {
  const auto* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    errors_.add(pointer(key), "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::string> FixtureReader::optional_string(const std::string& key,
                                                          const std::string& pattern,
                                                          const std::string& what) {
  auto s = optional_string(key);
  if (s && !std::regex_match(*s, errors_.compiled(pattern))) {
    errors_.add(pointer(key), fmt::format("'{}' is not {} (must match {})", *s, what, pattern));
  }
  return s;
}

bool FixtureReader::optional_bool(const std::string& key, bool fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    errors_.add(pointer(key), "must be true or false");
    return fallback;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> FixtureReader::optional_int(const std::string& key) {
  const auto* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number_integer()) {
    errors_.add(pointer(key), "must be an integer");
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<nlohmann::json> FixtureReader::optional_json(const std::string& key) {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  return *v;
}

const nlohmann::json& FixtureReader::array(const std::string& key) {
  const auto* v = find(key);
  if (v == nullptr) return empty_array();
  if (!v->is_array()) {
    errors_.add(pointer(key), "must be an array");
    return empty_array();
  }
  return *v;
}

std::vector<std::string> FixtureReader::string_array(const std::string& key) {
  std::vector<std::string> out;
  const auto& arr = array(key);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      errors_.add(pointer(key) + "/" + std::to_string(i), "must be a string");
      continue;
    }
    out.push_back(arr[i].get<std::string>());
  }
  return out;
}

}  // namespace mock::common
