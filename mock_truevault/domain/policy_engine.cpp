#include "mock_truevault/domain/policy_engine.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

namespace mock::truevault {
namespace {

// Any syntactically valid id stands in for the caller while validating a policy.
constexpr std::string_view kSampleId = "00000000-0000-4000-8000-000000000000";

// Parses one statement; `error` set on failure.
bool parse_statement(const nlohmann::json& s, PolicyStatement& out, std::string& error) {
  if (!s.is_object()) {
    error = "must be an object with Resources and Activities";
    return false;
  }
  for (const auto& [key, value] : s.items()) {
    if (key != "Resources" && key != "Activities") {
      error = fmt::format("unknown key '{}' (expected Resources, Activities)", key);
      return false;
    }
  }
  const auto activities = s.find("Activities");
  if (activities == s.end() || !activities->is_string()) {
    error = "Activities must be a string of letters such as \"CRUD\"";
    return false;
  }
  out.activities = activities->get<std::string>();
  for (char c : out.activities) {
    if (c < 'A' || c > 'Z') {
      error = "Activities must contain only upper-case letters such as \"CRUD\"";
      return false;
    }
  }
  const auto resources = s.find("Resources");
  if (resources == s.end() || !resources->is_array()) {
    error = "Resources must be an array of strings";
    return false;
  }
  for (const auto& r : *resources) {
    if (!r.is_string()) {
      error = "Resources must be an array of strings";
      return false;
    }
    out.resources.push_back(r.get<std::string>());
  }
  return true;
}

}  // namespace

std::string substitute_self(std::string_view matcher, std::string_view caller_id) {
  std::string out;
  const std::string quoted = RE2::QuoteMeta(re2::StringPiece(caller_id.data(), caller_id.size()));
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = matcher.find(kSelfIdToken, pos);
    if (hit == std::string_view::npos) break;
    out.append(matcher.substr(pos, hit - pos));
    out.append(quoted);
    pos = hit + kSelfIdToken.size();
  }
  out.append(matcher.substr(pos));
  return out;
}

std::shared_ptr<const re2::RE2> PolicyEngine::compile(const std::string& text, std::string* error) {
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(text);
    if (it != cache_.end()) return it->second;
  }
  RE2::Options options;
  options.set_log_errors(false);  // user patterns must not spam stderr
  options.set_max_mem(kMaxPatternMemory);
  auto re = std::make_shared<const RE2>(text, options);
  if (!re->ok()) {
    if (error != nullptr) *error = re->error();
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCachedPatterns) cache_.clear();
  cache_.emplace(text, re);
  return re;
}

common::Result<Policy, ApiError> PolicyEngine::validate(const nlohmann::json& policy) {
  if (!policy.is_array()) {
    return common::fail(errors::invalid_policy("must be a JSON array of statements"));
  }
  Policy out;
  for (std::size_t i = 0; i < policy.size(); ++i) {
    PolicyStatement statement;
    std::string problem;
    if (!parse_statement(policy[i], statement, problem)) {
      return common::fail(errors::invalid_policy(fmt::format("statement {}: {}", i, problem)));
    }
    for (const auto& matcher : statement.resources) {
      std::string error;
      if (!compile(substitute_self(matcher, kSampleId), &error)) {
        return common::fail(errors::invalid_policy(
            fmt::format("statement {}: resource matcher '{}' is not a valid RE2 regular "
                        "expression: {}",
                        i, matcher, error)));
      }
    }
    out.push_back(std::move(statement));
  }
  return out;
}

bool PolicyEngine::allows(const std::vector<nlohmann::json>& policies, char activity,
                          std::string_view resource, std::string_view caller_id) {
  const re2::StringPiece subject(resource.data(), resource.size());
  for (const auto& policy : policies) {
    if (!policy.is_array()) continue;
    for (const auto& s : policy) {
      PolicyStatement statement;
      std::string problem;
      if (!parse_statement(s, statement, problem)) continue;
      if (statement.activities.find(activity) == std::string::npos) continue;
      for (const auto& matcher : statement.resources) {
        auto re = compile(substitute_self(matcher, caller_id), nullptr);
        if (re && RE2::FullMatch(subject, *re)) return true;
      }
    }
  }
  return false;
}

std::size_t PolicyEngine::cached_patterns() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace mock::truevault
