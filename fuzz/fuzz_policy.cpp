// Fuzz target: TrueVault policy validation and matching (mock_truevault/domain/
// policy_engine.hpp). Input: "ACTIVITY\nRESOURCE\nCALLER_ID\nPOLICY_JSON" (a POLICY that is
// not JSON is tried as a JSON string).
// Invariants:
//   - validate() never throws; a refusal is 400 GROUP.INVALID_POLICY with a message; an
//     accepted policy has one statement per element, each with upper-case Activities;
//   - allows() never throws, on valid or invalid stored policies;
//   - no policy grants anything when it is absent (allows({}) is false) or when no statement
//     names the activity;
//   - adding a policy never removes access (allows(P) implies allows(P + Q));
//   - a statement {"Activities": ACTIVITY, "Resources": [QuoteMeta(RESOURCE)]} validates and
//     grants ACTIVITY on RESOURCE (valid UTF-8 resources), alone and after the fuzzed policy;
//   - substitute_self() leaves a matcher without "$[id=self.id]" unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "common/form.hpp"
#include "fuzz/fuzz_check.hpp"
#include "mock_truevault/domain/policy_engine.hpp"

namespace {

using mock::truevault::PolicyEngine;

std::string_view take_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

bool names_activity(const nlohmann::json& policy, char activity) {
  if (!policy.is_array()) return false;
  for (const auto& s : policy) {
    if (!s.is_object()) continue;
    auto it = s.find("Activities");
    if (it != s.end() && it->is_string() &&
        it->get_ref<const std::string&>().find(activity) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static PolicyEngine engine;  // NOLINT: one engine per process, as in the server (its cache)
  std::string_view rest(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::string_view activity_line = take_line(rest);
  const char activity = activity_line.empty() ? 'R' : activity_line.front();
  const std::string resource(take_line(rest));
  const std::string caller(take_line(rest));
  nlohmann::json policy = nlohmann::json::parse(rest, nullptr, false);
  if (policy.is_discarded()) policy = std::string(rest);

  auto valid = engine.validate(policy);
  if (!valid) {
    FUZZ_CHECK(valid.error().http_status == 400, valid.error().message);
    FUZZ_CHECK(valid.error().code == "GROUP.INVALID_POLICY", valid.error().code);
    FUZZ_CHECK(!valid.error().message.empty(), "empty message");
  } else {
    FUZZ_CHECK(policy.is_array() && valid->size() == policy.size(), policy.dump());
    for (const auto& statement : *valid) {
      for (char c : statement.activities) FUZZ_CHECK(c >= 'A' && c <= 'Z', statement.activities);
      for (const auto& matcher : statement.resources) {
        if (matcher.find(mock::truevault::kSelfIdToken) == std::string::npos) {
          FUZZ_CHECK(mock::truevault::substitute_self(matcher, caller) == matcher, matcher);
        }
      }
    }
  }

  FUZZ_CHECK(!engine.allows({}, activity, resource, caller), "no policy granted access");
  const bool granted = engine.allows({policy}, activity, resource, caller);
  if (!names_activity(policy, activity)) {
    FUZZ_CHECK(!granted, "granted an activity no statement names");
  }
  const nlohmann::json other = nlohmann::json::array(
      {{{"Activities", "CRUD"}, {"Resources", {"User::.*", "$[id=self.id]"}}}});
  if (granted) {
    FUZZ_CHECK(engine.allows({policy, other}, activity, resource, caller), "access lost");
    FUZZ_CHECK(engine.allows({other, policy}, activity, resource, caller), "access lost");
  }

  if (activity >= 'A' && activity <= 'Z' && mock::common::is_valid_utf8(resource)) {
    const std::string literal = RE2::QuoteMeta(resource);
    const nlohmann::json exact = nlohmann::json::array(
        {{{"Activities", std::string(1, activity)}, {"Resources", {literal}}}});
    auto ok = engine.validate(exact);
    FUZZ_CHECK(ok.has_value(), ok ? literal : ok.error().message);
    FUZZ_CHECK(engine.allows({exact}, activity, resource, caller), literal);
    FUZZ_CHECK(engine.allows({policy, exact}, activity, resource, caller), literal);
  }
  return 0;
}
