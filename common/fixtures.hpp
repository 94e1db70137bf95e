#pragma once
// Fixture files: one JSON file per environment with a "description" and one section per
// service ("truevault", "twilio"); each server loads only its own section (house-style §3.4).
//
// A mistake stops the server at start with a message naming the file, the JSON pointer inside
// it and the problem: "fixtures/x.json: /twilio/accounts/0/sid: must match ^AC[0-9a-f]{32}$".
// FixtureReader is the strict walker the service loaders use: it records the first problem
// (later reads return defaults) and rejects keys nobody read.

#include <array>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mock::common {

// A fixture document, read and checked at the top level (only description/truevault/twilio).
struct FixtureFile {
  std::string path;
  nlohmann::json doc;
};
Result<FixtureFile, std::string> read_fixture_file(const std::string& path);

// A fixture name ([a-z0-9_-]+, never a path) resolved in `dir`: dir/<name>.json.
Result<std::string, std::string> fixture_path_for_name(const std::string& dir,
                                                       const std::string& name);

// The file a reset loads: `startup_path` (the fixture loaded at start) when `name` is absent,
// else fixture_path_for_name() in the start-up fixture's directory ("." when it has none).
Result<std::string, std::string> resolve_reset_fixture(const std::string& startup_path,
                                                       const std::optional<std::string>& name);

// A fixture field's pattern: an ECMAScript regular expression the whole value must match
// (std::regex_match). Patterns made only of literal characters (ASCII; punctuation may be
// escaped), bracket sets of literals and ranges such as [0-9a-f], the quantifiers ?, *, +,
// {n}, {n,} and {n,m}, and ^ / $ at the ends (every SID, E.164, price and currency pattern of
// the loaders) are matched by hand, with the same result: std::regex builds a 256-entry table
// through the locale for each bracket set (~0.2M instructions), ~2M of mock_twilio's start.
// Any other pattern is compiled to a std::regex and used as before.
class FixturePattern {
 public:
  explicit FixturePattern(const std::string& pattern);
  bool matches(std::string_view value) const;
  // True when matched by hand (no std::regex): for tests.
  bool simple() const { return !regex_; }

 private:
  struct Atom {
    std::array<bool, 256> accepts{};  // by byte value
    std::size_t min = 1;
    std::size_t max = 1;
  };
  static std::optional<std::vector<Atom>> parse(const std::string& pattern);
  bool match_from(std::size_t atom, std::string_view value, std::size_t pos,
                  std::vector<bool>& failed) const;

  std::vector<Atom> atoms_;
  std::optional<std::regex> regex_;
};

// Collects the first error of a fixture walk, and holds what the walk's readers share: the
// compiled form of each pattern they check.
class FixtureErrors {
 public:
  explicit FixtureErrors(std::string file) : file_(std::move(file)) {}
  void add(const std::string& pointer, const std::string& problem);
  bool ok() const { return !first_; }
  // "FILE: POINTER: PROBLEM"
  const std::optional<std::string>& first() const { return first_; }

  // `pattern` compiled once per walk. Compiling a std::regex costs ~0.4M instructions for a
  // SID pattern such as AC[0-9a-f]{32} (bounded repeats), and a fixture checks the same few
  // patterns on every row: compiling per field was most of a server's fixture load.
  const FixturePattern& compiled(const std::string& pattern);

 private:
  std::string file_;
  std::optional<std::string> first_;
  std::map<std::string, FixturePattern, std::less<>> patterns_;
};

class FixtureReader {
 public:
  // `value` must be an object, else an error is recorded. It is referenced, not copied: it
  // must outlive the reader.
  FixtureReader(const nlohmann::json& value, std::string pointer, FixtureErrors& errors);
  // Reports keys of the object that no accessor asked for.
  ~FixtureReader();
  FixtureReader(const FixtureReader&) = delete;
  FixtureReader& operator=(const FixtureReader&) = delete;

  std::string required_string(const std::string& key);
  // `pattern` is an ECMAScript regex applied to the whole value; `what` explains it.
  std::string required_string(const std::string& key, const std::string& pattern,
                              const std::string& what);
  std::optional<std::string> optional_string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key, const std::string& pattern,
                                             const std::string& what);
  bool optional_bool(const std::string& key, bool fallback);
  std::optional<std::int64_t> optional_int(const std::string& key);
  // Any JSON value (attributes, policies): nullopt when absent.
  std::optional<nlohmann::json> optional_json(const std::string& key);
  // An array (empty when absent); each element's pointer is pointer()/key/i.
  const nlohmann::json& array(const std::string& key);
  std::vector<std::string> string_array(const std::string& key);

  std::string pointer(const std::string& key) const;
  void error(const std::string& key, const std::string& problem);
  FixtureErrors& errors() { return errors_; }

 private:
  const nlohmann::json* find(const std::string& key);

  const nlohmann::json& value_;
  std::string pointer_;
  FixtureErrors& errors_;
  std::set<std::string> seen_;
  bool is_object_;
};

}  // namespace mock::common
