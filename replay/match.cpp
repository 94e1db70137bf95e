#include "replay/match.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/json_util.hpp"

namespace mock::replay {

using nlohmann::json;

namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

}  // namespace

common::Result<std::string, std::string> substitute(const std::string& text, const Vars& vars) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string::npos) {
      break;
    }
    const auto close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      break;
    }
    const std::string name = text.substr(open + 2, close - open - 2);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
      out += text.substr(pos, open + 2 - pos);
      pos = open + 2;
      continue;
    }
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return common::fail(fmt::format("unknown variable {{{{{}}}}}", name));
    }
    out += text.substr(pos, open - pos);
    out += it->second;
    pos = close + 2;
  }
  out += text.substr(std::min(pos, text.size()));
  return out;
}

common::Result<json, std::string> substitute(const json& value, const Vars& vars) {
  if (value.is_string()) {
    auto s = substitute(value.get<std::string>(), vars);
    if (!s) {
      return common::fail(s.error());
    }
    return json(*s);
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) {
      auto s = substitute(v, vars);
      if (!s) {
        return common::fail(s.error());
      }
      out.push_back(std::move(*s));
    }
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) {
      auto key = substitute(k, vars);
      if (!key) {
        return common::fail(key.error());
      }
      auto s = substitute(v, vars);
      if (!s) {
        return common::fail(s.error());
      }
      out[*key] = std::move(*s);
    }
    return out;
  }
  return value;
}

std::optional<Mismatch> first_mismatch(const json& expected, const json& actual,
                                       const std::string& pointer) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      return Mismatch{pointer, expected, actual};
    }
    for (const auto& [k, v] : expected.items()) {
      const std::string child = pointer + "/" + common::json_pointer_token(k);
      const auto it = actual.find(k);
      if (it == actual.end()) {
        return Mismatch{child, v, nullptr, true};
      }
      if (auto m = first_mismatch(v, *it, child)) {
        return m;
      }
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      return Mismatch{pointer, expected, actual};
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto m = first_mismatch(expected[i], actual[i], pointer + "/" + std::to_string(i))) {
        return m;
      }
    }
    return std::nullopt;
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() == actual.get<double>()) {
      return std::nullopt;
    }
    return Mismatch{pointer, expected, actual};
  }
  if (expected != actual) {
    return Mismatch{pointer, expected, actual};
  }
  return std::nullopt;
}

common::Result<void, std::string> capture(const json& captures, const json& actual, Vars& vars) {
  for (const auto& [name, pointer_value] : captures.items()) {
    if (!pointer_value.is_string()) {
      return common::fail(fmt::format("capture {}: the pointer must be a string", name));
    }
    const std::string text = pointer_value.get<std::string>();
    try {
      const json::json_pointer pointer(text);
      if (!actual.contains(pointer)) {
        return common::fail(fmt::format("capture {}: nothing at {}", name, text));
      }
      const json& v = actual.at(pointer);
      vars[name] = v.is_string() ? v.get<std::string>() : v.dump();
    } catch (const json::exception&) {
      return common::fail(fmt::format("capture {}: '{}' is not a JSON pointer", name, text));
    }
  }
  return {};
}

std::vector<Difference> differences(const json& recorded, const json& now,
                                    const std::vector<std::string>& ignored,
                                    const std::string& pointer) {
  std::vector<Difference> out;
  auto is_ignored = [&](const std::string& p) {
    return std::find(ignored.begin(), ignored.end(), p) != ignored.end();
  };
  if (recorded.is_object() && now.is_object()) {
    for (const auto& [k, v] : recorded.items()) {
      const std::string child = pointer + "/" + common::json_pointer_token(k);
      const auto it = now.find(k);
      if (it == now.end()) {
        out.push_back({Difference::Kind::kRemoved, child, v, nullptr});
      } else {
        auto sub = differences(v, *it, ignored, child);
        out.insert(out.end(), sub.begin(), sub.end());
      }
    }
    for (const auto& [k, v] : now.items()) {
      const std::string child = pointer + "/" + common::json_pointer_token(k);
      if (!recorded.contains(k) && !is_ignored(child) && k != "attributes") {
        out.push_back({Difference::Kind::kAdded, child, nullptr, v});
      }
    }
    return out;
  }
  if (recorded.is_array() && now.is_array() && recorded.size() == now.size()) {
    for (std::size_t i = 0; i < recorded.size(); ++i) {
      auto sub = differences(recorded[i], now[i], ignored, pointer + "/" + std::to_string(i));
      out.insert(out.end(), sub.begin(), sub.end());
    }
    return out;
  }
  if (!first_mismatch(recorded, now, pointer)) {
    return out;
  }
  out.push_back({Difference::Kind::kChanged, pointer, recorded, now});
  return out;
}

std::string show(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 200) {
    text = text.substr(0, 197) + "...";
  }
  return text;
}

}  // namespace mock::replay
