#pragma once
// TrueVault group policies (truevault-api.md §6). A policy is a JSON array of statements
// {"Resources": [matcher, ...], "Activities": "letters"}. A statement grants activity A on
// resource R when its Activities contain A and one matcher matches R.
//
// Matchers are anchored regular expressions (RE2::FullMatch; house-style §3.9): "::" is a
// literal, ".*" crosses "::" and matches the empty string (how FULL_ADMIN's "User::.*" grants
// "C User::"), and "$[id=self.id]" stands for the caller's id, substituted as
// RE2::QuoteMeta(id) before compiling. Letters other than C/R/U/D (FULL_ADMIN's "A") are
// stored and echoed, never checked.
//
// Patterns are compiled when a policy is written (validate(): a pattern RE2 rejects is a 400
// there, never a 500 later) and cached by final text, so evaluation does not recompile. RE2
// runs in linear time: a hostile pattern cannot stall a worker. RE2 has no back-references or
// look-around (recorded as a deviation).
//
// Thread safety: all methods may be called concurrently.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "mock_truevault/domain/errors.hpp"

namespace re2 {
class RE2;
}

namespace mock::truevault {

inline constexpr std::string_view kSelfIdToken = "$[id=self.id]";

struct PolicyStatement {
  std::string activities;
  std::vector<std::string> resources;
};
using Policy = std::vector<PolicyStatement>;

class PolicyEngine {
 public:
  // Bounds the cache; when full it is cleared (entries are cheap to rebuild).
  static constexpr std::size_t kMaxCachedPatterns = 4096;
  // RE2 memory budget per pattern.
  static constexpr std::int64_t kMaxPatternMemory = 1 << 20;

  // Parses `policy` (a JSON array of statements) and compiles every matcher. An empty array
  // is valid. Failure: GROUP.INVALID_POLICY naming the statement and the problem.
  common::Result<Policy, ApiError> validate(const nlohmann::json& policy);

  // True when one statement of one of `policies` grants `activity` (C, R, U or D) on
  // `resource` to the caller `caller_id`. Malformed stored statements grant nothing.
  bool allows(const std::vector<nlohmann::json>& policies, char activity, std::string_view resource,
              std::string_view caller_id);

  std::size_t cached_patterns() const;

 private:
  // The compiled pattern for `text`, or nullptr when RE2 rejects it (`error` says why).
  std::shared_ptr<const re2::RE2> compile(const std::string& text, std::string* error);

  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  std::unordered_map<std::string, std::shared_ptr<const re2::RE2>> cache_;
};

// `matcher` with every "$[id=self.id]" replaced by RE2::QuoteMeta(caller_id).
std::string substitute_self(std::string_view matcher, std::string_view caller_id);

}  // namespace mock::truevault
