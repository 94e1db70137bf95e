#include "common/fixtures.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
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

FixturePattern::FixturePattern(const std::string& pattern) {
  if (auto atoms = parse(pattern)) {
    atoms_ = std::move(*atoms);
  } else {
    regex_.emplace(pattern);
  }
}

// The subset FixturePattern matches by hand (see the header); nullopt for anything else.
std::optional<std::vector<FixturePattern::Atom>> FixturePattern::parse(const std::string& p) {
  constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
  const auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80; };
  const auto digits = [&p](std::size_t& i) -> std::optional<std::size_t> {
    std::size_t n = 0;
    const std::size_t start = i;
    while (i < p.size() && p[i] >= '0' && p[i] <= '9' && i - start < 6) {
      n = n * 10 + static_cast<std::size_t>(p[i] - '0');
      ++i;
    }
    if (i == start || (i < p.size() && p[i] >= '0' && p[i] <= '9')) return std::nullopt;
    return n;
  };
  std::vector<Atom> atoms;
  std::size_t i = 0;
  std::size_t end = p.size();
  if (i < end && p[i] == '^') ++i;
  if (end > i && p[end - 1] == '$') {
    // A trailing $ is an anchor unless escaped (an odd number of backslashes before it).
    std::size_t slashes = 0;
    while (end - 1 - slashes > i && p[end - 2 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 0) --end;
  }
  while (i < end) {
    Atom atom;
    const char c = p[i];
    if (!ascii(c)) return std::nullopt;
    if (c == '\\') {
      if (i + 1 >= end || !ascii(p[i + 1]) || !std::ispunct(static_cast<unsigned char>(p[i + 1]))) {
        return std::nullopt;  // \d, \b, \1 ... and a trailing backslash
      }
      atom.accepts[static_cast<unsigned char>(p[i + 1])] = true;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i >= end || p[i] == '^' || p[i] == ']') return std::nullopt;
      while (i < end && p[i] != ']') {
        const char lo = p[i];
        if (!ascii(lo) || lo == '\\' || lo == '[') return std::nullopt;
        char hi = lo;
        if (i + 2 < end && p[i + 1] == '-' && p[i + 2] != ']') {
          hi = p[i + 2];
          if (!ascii(hi) || hi == '\\' || hi == '[' || hi < lo) return std::nullopt;
          i += 3;
        } else {
          ++i;
        }
        for (int b = lo; b <= hi; ++b) atom.accepts[static_cast<std::size_t>(b)] = true;
      }
      if (i >= end) return std::nullopt;  // no closing ]
      ++i;
    } else if (std::string_view("^$.|()[]{}*+?").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      atom.accepts[static_cast<unsigned char>(c)] = true;
      ++i;
    }
    if (i < end) {
      if (p[i] == '?') {
        atom.min = 0;
        ++i;
      } else if (p[i] == '*') {
        atom.min = 0;
        atom.max = kUnbounded;
        ++i;
      } else if (p[i] == '+') {
        atom.max = kUnbounded;
        ++i;
      } else if (p[i] == '{') {
        ++i;
        auto lo = digits(i);
        if (!lo || i >= end) return std::nullopt;
        atom.min = *lo;
        atom.max = *lo;
        if (p[i] == ',') {
          ++i;
          atom.max = kUnbounded;
          if (i < end && p[i] != '}') {
            auto hi = digits(i);
            if (!hi || *hi < *lo) return std::nullopt;
            atom.max = *hi;
          }
        }
        if (i >= end || p[i] != '}') return std::nullopt;
        ++i;
      }
      // A lazy or possessive suffix, or a second quantifier: std::regex's business.
      if (i < end && std::string_view("?*+{").find(p[i]) != std::string_view::npos) {
        return std::nullopt;
      }
    }
    atoms.push_back(atom);
  }
  return atoms;
}

bool FixturePattern::matches(std::string_view value) const {
  if (regex_) return std::regex_match(value.begin(), value.end(), *regex_);
  // Backtracking over the quantifiers, remembering positions already known to fail so that a
  // pattern such as a*a*a*b stays linear in practice.
  std::vector<bool> failed((atoms_.size() + 1) * (value.size() + 1), false);
  return match_from(0, value, 0, failed);
}

bool FixturePattern::match_from(std::size_t atom, std::string_view value, std::size_t pos,
                                std::vector<bool>& failed) const {
  if (atom == atoms_.size()) return pos == value.size();
  const std::size_t key = atom * (value.size() + 1) + pos;
  if (failed[key]) return false;
  const Atom& a = atoms_[atom];
  std::size_t n = 0;
  while (n < a.max && pos + n < value.size() &&
         a.accepts[static_cast<unsigned char>(value[pos + n])]) {
    ++n;
  }
  for (std::size_t k = n + 1; k-- > a.min;) {
    if (match_from(atom + 1, value, pos + k, failed)) return true;
  }
  failed[key] = true;
  return false;
}

const FixturePattern& FixtureErrors::compiled(const std::string& pattern) {
  auto it = patterns_.find(pattern);
  if (it == patterns_.end()) it = patterns_.emplace(pattern, FixturePattern(pattern)).first;
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
  if (errors_.ok() && !errors_.compiled(pattern).matches(s)) {
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
  if (s && !errors_.compiled(pattern).matches(*s)) {
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
