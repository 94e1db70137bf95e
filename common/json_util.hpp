#pragma once
// Small JSON helpers shared by the fixture reader, the journal recorder and replay.

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

}  // namespace mock::common
