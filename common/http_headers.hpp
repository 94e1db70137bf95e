#pragma once
// Header lookups without httplib's case-insensitive tree search. Header-only: the bare
// baseline (bench/baseline) compiles the connection loop, which uses it, without mock_common.

#include <string>
#include <string_view>

#include <httplib.h>

namespace mock::common {

// The first value of header `name` (ASCII case-insensitive), the one httplib's
// headers.find(name) finds, or nullptr. One pass over the request's few headers:
// httplib's lookup lowercases both names through libc's tolower() at each step of its tree
// search, ~1k instructions a lookup, and each request took a dozen (bench/README.md,
// "Session 11").
inline const std::string* find_header(const httplib::Headers& headers, std::string_view name) {
  const auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; };
  for (const auto& [key, value] : headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; same && i < key.size(); ++i) {
      same =
          lower(static_cast<unsigned char>(key[i])) == lower(static_cast<unsigned char>(name[i]));
    }
    // Equal names sit together in insertion order: the first is httplib's.
    if (same) return &value;
  }
  return nullptr;
}

// A header value as httplib's get_header_value() reads it: as a C string (up to a NUL byte,
// which httplib's own reads of Content-Length and Content-Type stop at too), "" for nullptr.
inline std::string_view header_text(const std::string* value) {
  return value != nullptr ? std::string_view(value->c_str()) : std::string_view();
}

// What httplib's get_header_value(name) answers: header_text() of find_header().
inline std::string_view header_value(const httplib::Headers& headers, std::string_view name) {
  return header_text(find_header(headers, name));
}

}  // namespace mock::common
