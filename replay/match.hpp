#pragma once
// The pure parts of replay (no HTTP): {{var}} substitution, subset matching, JSON-pointer
// captures and the recorded-vs-now diff. Unit-tested in match_test.cpp.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mock::replay {

using Vars = std::map<std::string, std::string>;

// Replaces every {{name}} in `text` by vars[name]. A name may hold letters, digits, '_', '-',
// '.'. Fails naming the first unknown variable ("unknown variable {{sid}}"). "{{" not closed
// by "}}" is kept as is.
common::Result<std::string, std::string> substitute(const std::string& text, const Vars& vars);
// Same, on every string (values and object keys) inside `value`.
common::Result<nlohmann::json, std::string> substitute(const nlohmann::json& value,
                                                       const Vars& vars);

struct Mismatch {
  std::string pointer;  // JSON pointer into the actual body; "" = the root
  nlohmann::json expected;
  nlohmann::json actual;  // null with missing = true when the key is absent
  bool missing = false;
};

// Subset matching: every key of an expected object must be present and match in `actual`
// (extra keys are ignored); arrays must have the same length and match element by element;
// scalars must be equal (1 and 1.0 are equal numbers). Returns the first mismatch in document
// order, or nullopt.
std::optional<Mismatch> first_mismatch(const nlohmann::json& expected, const nlohmann::json& actual,
                                       const std::string& pointer = "");

// Reads every pointer of `captures` ({"var": "/json/pointer"}) from `actual` into vars (strings
// as they are, other values as compact JSON). Fails naming the first pointer that is invalid or
// absent.
common::Result<void, std::string> capture(const nlohmann::json& captures,
                                          const nlohmann::json& actual, Vars& vars);

struct Difference {
  enum class Kind { kChanged, kRemoved, kAdded };
  Kind kind;
  std::string pointer;
  nlohmann::json recorded;
  nlohmann::json now;
};
// Full comparison of a recorded response (volatile values already removed) with this run's:
// changed and removed values, and values added in this run except under `ignored` pointers
// (the captured ones).
std::vector<Difference> differences(const nlohmann::json& recorded, const nlohmann::json& now,
                                    const std::vector<std::string>& ignored,
                                    const std::string& pointer = "");

// A value as the report shows it: compact JSON, cut to 200 characters.
std::string show(const nlohmann::json& value);

}  // namespace mock::replay
