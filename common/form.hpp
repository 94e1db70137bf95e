#pragma once
// Form and query-string decoding, independent of httplib so that it is unit-testable and
// fuzzable. application/x-www-form-urlencoded per the WHATWG URL standard: '+' and %20 are
// spaces, keys are decoded too (DateSent%3E -> DateSent>), repeated keys are kept in order,
// a malformed escape ("%zz", "%4") is kept literally.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock::common {

class Form {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string key, std::string value);
  // First value of `key`, or nullopt.
  std::optional<std::string> get(std::string_view key) const;
  // Every value of `key`, in order.
  std::vector<std::string> all(std::string_view key) const;
  bool has(std::string_view key) const;
  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// Percent-decoding; `plus_is_space` for form bodies and query strings.
std::string url_decode(std::string_view text, bool plus_is_space = true);
// Decodes "k=v&k2=v2". Empty pieces are skipped; "k" alone means k = "".
Form parse_urlencoded(std::string_view text);
// The query part of a request target ("/p?a=b" -> "a=b"), or "" when there is none.
std::string_view query_of(std::string_view target);

// Percent-encodes everything but unreserved characters (RFC 3986), space as "%20".
std::string url_encode(std::string_view text);
// Like url_encode but space as '+' (what Twilio writes in its page URIs and webhooks).
std::string form_encode_component(std::string_view text);
// "k=v&k2=v2" with form_encode_component on keys and values.
std::string encode_form(const std::vector<Form::Field>& fields);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace mock::common
