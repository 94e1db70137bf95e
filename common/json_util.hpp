#pragma once
// Small JSON helpers shared by the fixture reader, the journal recorder and replay.

#include <cstddef>
#include <string>
#include <string_view>

namespace mock::common {

// One reference token of a JSON pointer (RFC 6901 §3): "~" becomes "~0" and "/" becomes "~1",
// so pointer + "/" + json_pointer_token(key) names the member `key`.
inline std::string json_pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// True when `text` nests arrays or objects more than `max_depth` levels deep (string contents
// are skipped; the text need not be valid JSON). Checked before parsing a client's JSON:
// nlohmann's dump() and copies recurse once per level, so a 100k-deep document sent in a
// ~200 KB body would overflow a server thread's stack (issue 7's bad-input matrix).
inline bool json_nesting_exceeds(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace mock::common
