#include "common/journal.hpp"

#include <algorithm>
#include <bitset>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "common/control_plane.hpp"
#include "common/crypto.hpp"
#include "common/form.hpp"
#include "common/http_util.hpp"
#include "common/json_util.hpp"

namespace mock::common {

using nlohmann::json;
using nlohmann::ordered_json;

std::optional<Journal::Item> Journal::push_locked(Item item) {
  entries_.push_back(std::move(item));
  if (entries_.size() <= cap_) return std::nullopt;
  // One push evicts at most one entry: the cap is fixed at construction.
  std::optional<Item> evicted(std::move(entries_.front()));
  entries_.pop_front();
  ++evicted_;
  return evicted;
}

void Journal::add(JournalRecord entry) {
  std::optional<Item> evicted;
  {
    std::lock_guard lock(mutex_);
    evicted = push_locked(Item{next_seq_++, std::move(entry)});
  }
  // `evicted` (a dozen strings to free) is destroyed here, outside the lock every request
  // thread takes: a thread preempted while holding it stalls the others (bench/README.md).
}

void Journal::add(json entry) {
  std::optional<Item> evicted;
  {
    std::lock_guard lock(mutex_);
    entry["seq"] = next_seq_;
    evicted = push_locked(Item{next_seq_++, std::move(entry)});
  }
}

std::vector<json> Journal::entries() const {
  // Copy under the lock, build the JSON outside it: recording never waits for a reader.
  std::vector<Item> items;
  {
    std::lock_guard lock(mutex_);
    items.assign(entries_.begin(), entries_.end());
  }
  std::vector<json> out;
  out.reserve(items.size());
  for (auto& item : items) {
    if (auto* record = std::get_if<JournalRecord>(&item.entry)) {
      json e = record->to_json();
      e["seq"] = item.seq;
      out.push_back(std::move(e));
    } else {
      out.push_back(std::move(std::get<json>(item.entry)));
    }
  }
  return out;
}

json Journal::to_json() const {
  std::size_t evicted = 0;
  {
    std::lock_guard lock(mutex_);
    evicted = evicted_;
  }
  json out = {{"cap", cap_}, {"evicted", evicted}, {"entries", json::array()}};
  for (auto& e : entries()) {
    out["entries"].push_back(std::move(e));
  }
  return out;
}

void Journal::clear() {
  std::deque<Item> cleared;  // freed after the lock is released
  std::lock_guard lock(mutex_);
  cleared.swap(entries_);
  evicted_ = 0;
  next_seq_ = 1;  // a cleared journal is a fresh one: replays compare equal
}

namespace {

// What the client reads: httplib compresses the body before the post-routing hook runs when
// the client accepts it (the official SDKs send Accept-Encoding).
std::string decompressed(const std::string& body, const std::string& encoding) {
  std::unique_ptr<httplib::detail::decompressor> decompressor;
  if (encoding == "gzip" || encoding == "deflate") {
    decompressor = std::make_unique<httplib::detail::gzip_decompressor>();
  } else if (encoding == "br") {
    decompressor = std::make_unique<httplib::detail::brotli_decompressor>();
  }
  if (!decompressor) return body;
  std::string plain;
  const bool ok =
      decompressor->decompress(body.data(), body.size(), [&](const char* data, std::size_t n) {
        plain.append(data, n);
        return true;
      });
  return ok ? plain : body;
}

}  // namespace

json JournalRecord::to_json() const {
  json header_object = json::object();
  for (const auto& [name, value] : headers) {
    header_object[name] = value;
  }
  const std::string text = decompressed(response, content_encoding);
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    parsed = text;
  }
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  return {{"service", service},
          {"time", format_iso8601(time)},
          {"time_us", us},
          {"method", method},
          {"path", path},
          {"query", query},
          {"headers", header_object},
          {"body", body},
          {"status", status},
          {"response", parsed}};
}

JournalRecord journal_entry(const std::string& service, TimePoint now, const httplib::Request& req,
                            const httplib::Response& res) {
  JournalRecord r;
  r.service = service;
  r.time = now;
  r.method = req.method;
  r.path = req.path;
  r.query = std::string(query_of(req.target));
  for (const char* name : {"Authorization", "Content-Type", "User-Agent"}) {
    if (const std::string* value = find_header(req.headers, name)) {
      r.headers.emplace_back(name, *value);
    }
  }
  r.body = req.body;
  if (r.body.empty() && !req.files.empty()) {
    // Multipart (read_body or httplib put the parts in req.files): kept as urlencoded fields.
    std::vector<Form::Field> fields;
    for (const auto& [name, part] : req.files) {
      fields.emplace_back(name, part.content);
    }
    r.body = encode_form(fields);
  }
  r.status = res.status;
  r.response = res.body;
  if (const std::string* value = find_header(res.headers, "Content-Encoding")) {
    r.content_encoding = *value;
  }
  return r;
}

std::vector<json> merge_journals(std::vector<json> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const json& a, const json& b) {
    const auto ta = a.value("time_us", std::int64_t{0});
    const auto tb = b.value("time_us", std::int64_t{0});
    if (ta != tb) {
      return ta < tb;
    }
    const auto sa = a.value("service", std::string());
    const auto sb = b.value("service", std::string());
    if (sa != sb) {
      return sa < sb;  // truevault before twilio at the same instant
    }
    return a.value("seq", std::uint64_t{0}) < b.value("seq", std::uint64_t{0});
  });
  return entries;
}

namespace {

bool looks_like_date(const std::string& key, const std::string& value) {
  static const std::regex kIsoDate(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*)");
  static const std::regex kRfcDate(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} .*)");
  return key.starts_with("date_") || key.ends_with("_at") || std::regex_match(value, kIsoDate) ||
         std::regex_match(value, kRfcDate);
}

}  // namespace

bool looks_volatile(const std::string& key, const std::string& value) {
  static const std::set<std::string> kVolatileKeys = {
      "transaction_id",      "access_token", "api_key", "secret",  "auth_token", "token",
      "provider_message_id", "sid",          "id",      "user_id", "group_id"};
  // Twilio SIDs (two letters + 32 hex), UUIDs, ISO-8601 and RFC 2822 dates.
  static const std::regex kSid("[A-Z]{2}[0-9a-fA-F]{32}");
  static const std::regex kUuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  if (value.size() < 8) {
    return false;
  }
  if (kVolatileKeys.contains(key) || looks_like_date(key, value)) {
    return true;
  }
  return std::regex_match(value, kSid) || std::regex_match(value, kUuid);
}

namespace {

void mask_leaves(json& j) {
  if (j.is_object() || j.is_array()) {
    for (auto& child : j) {
      mask_leaves(child);
    }
  } else {
    j = "***";
  }
}

}  // namespace

// Deeper client JSON is recorded as text (see step()); no real request nests this deep.
constexpr std::size_t kMaxRecordedJsonDepth = 64;

json mask_attributes(const json& attributes) {
  if (attributes.is_object()) {
    json masked = attributes;
    mask_leaves(masked);
    return masked;
  }
  if (attributes.is_string()) {
    auto decoded = base64_decode_lenient(attributes.get<std::string>());
    if (decoded && !json_nesting_exceeds(*decoded, kMaxRecordedJsonDepth)) {
      auto parsed = json::parse(*decoded, nullptr, false);
      if (!parsed.is_discarded() && parsed.is_object()) {
        mask_leaves(parsed);
        return base64_encode(parsed.dump());
      }
    }
  }
  return "***";
}

namespace {

// The values a recording turns into {{var}} references, and the substitution itself. A session
// of 1000 requests knows thousands of values (every id, date and token it captured), and
// every string of every step is searched for all of them: one find per value per string made
// an export of the default 1000-entry journal take seconds (worse than quadratic in its length).
// Here values are grouped by length, each group hashed (a polynomial hash, rolled along the
// text), so one text costs O(its length x the number of distinct lengths).
//
// The rule: longer values first; among matches of one length, leftmost first; a match never
// overlaps an earlier one, and the text of a reference is never searched again.
class ValueIndex {
 public:
  bool contains(const std::string& value) const { return vars_.contains(value); }

  // Adds `value` under the name `var` unless it is known.
  void add(const std::string& value, const std::string& var) {
    auto [it, inserted] = vars_.emplace(value, var);
    if (!inserted || value.empty()) return;  // the empty string is never substituted
    auto [group, created] = by_length_.try_emplace(value.size());
    if (created) group->second.drop = power(value.size());
    group->second.first_bytes.set(static_cast<unsigned char>(value.front()));
    group->second.by_hash[hash(value)].push_back(&*it);
  }

  std::string substitute(const std::string& text) const {
    struct Match {
      std::size_t at;
      std::size_t length;
      const std::string* var;
    };
    std::vector<Match> matches;
    std::vector<bool> taken;  // sized on the first match: most texts have none
    for (const auto& [length, group] : by_length_) {
      if (length > text.size()) continue;
      std::uint64_t h = 0;
      std::size_t free_from = 0;  // leftmost first: a match at p excludes [p, p + length)
      for (std::size_t end = 0; end < text.size(); ++end) {
        h = h * kBase + static_cast<unsigned char>(text[end]);
        if (end + 1 < length) continue;
        if (end + 1 > length) h -= group.drop * static_cast<unsigned char>(text[end - length]);
        const std::size_t at = end + 1 - length;
        if (at < free_from || !group.first_bytes.test(static_cast<unsigned char>(text[at]))) {
          continue;
        }
        const auto bucket = group.by_hash.find(h);
        if (bucket == group.by_hash.end()) continue;
        for (const auto* entry : bucket->second) {
          if (text.compare(at, length, entry->first) != 0) continue;
          if (taken.empty()) taken.resize(text.size(), false);
          if (std::any_of(taken.begin() + static_cast<std::ptrdiff_t>(at),
                          taken.begin() + static_cast<std::ptrdiff_t>(at + length),
                          [](bool t) { return t; })) {
            break;  // inside a longer value's match
          }
          std::fill_n(taken.begin() + static_cast<std::ptrdiff_t>(at), length, true);
          matches.push_back({at, length, &entry->second});
          free_from = at + length;
          break;
        }
      }
    }
    if (matches.empty()) return text;
    std::sort(matches.begin(), matches.end(),
              [](const Match& a, const Match& b) { return a.at < b.at; });
    std::string out;
    out.reserve(text.size() + matches.size() * 8);
    std::size_t from = 0;
    for (const auto& m : matches) {
      out.append(text, from, m.at - from);
      out += "{{";
      out += *m.var;
      out += "}}";
      from = m.at + m.length;
    }
    out.append(text, from, std::string::npos);
    return out;
  }

 private:
  static constexpr std::uint64_t kBase = 0x100000001b3ULL;  // odd; arithmetic is mod 2^64

  static std::uint64_t hash(const std::string& value) {
    std::uint64_t h = 0;
    for (const char c : value) h = h * kBase + static_cast<unsigned char>(c);
    return h;
  }
  static std::uint64_t power(std::size_t n) {
    std::uint64_t p = 1;
    for (std::size_t i = 0; i < n; ++i) p *= kBase;
    return p;
  }

  using Entry = std::pair<const std::string, std::string>;  // value -> variable name
  struct Group {
    std::uint64_t drop = 1;        // kBase^length: rolls a window's first byte out of its hash
    std::bitset<256> first_bytes;  // a cheap test before the hash lookup
    std::unordered_map<std::uint64_t, std::vector<const Entry*>> by_hash;  // nodes of vars_
  };
  std::map<std::string, std::string> vars_;
  std::map<std::size_t, Group, std::greater<>> by_length_;  // by value length, longest first
};

// The recorder's state across the steps of one session.
class Recorder {
 public:
  explicit Recorder(const RecordOptions& options) : options_(options) {}

  ordered_json run(const std::vector<json>& entries) {
    ordered_json steps = ordered_json::array();
    int n = 0;
    for (const auto& e : entries) {
      if (e.value("/headers/User-Agent"_json_pointer, std::string()) == kForwardedUserAgent) {
        continue;
      }
      steps.push_back(step(e, ++n));
    }
    ordered_json out = ordered_json::object();
    out["name"] = options_.name;
    out["description"] = options_.description;
    out["fixture"] = options_.fixture;
    if (options_.seed) {
      out["seed"] = *options_.seed;
    }
    out["vars"] = ordered_json::object();
    for (const auto& [name, value] : vars_) {
      out["vars"][name] = value;
    }
    out["steps"] = steps;
    return out;
  }

 private:
  static std::string slug(const std::string& path) {
    // The last path segment that is not an id, e.g. "/v1/users/<id>/message/sms" -> "sms".
    std::string best = "root";
    std::size_t start = 0;
    while (start < path.size()) {
      auto end = path.find('/', start);
      if (end == std::string::npos) {
        end = path.size();
      }
      std::string seg = path.substr(start, end - start);
      if (auto dot = seg.find('.'); dot != std::string::npos) {
        seg = seg.substr(0, dot);
      }
      if (!seg.empty() && !looks_volatile("", seg) && seg.find(',') == std::string::npos) {
        best = seg;
      }
      start = end + 1;
    }
    std::string out;
    for (char c : best) {
      out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    return out;
  }

  std::string fresh_var(const std::string& base_in) {
    std::string base = base_in.empty() ? "value" : base_in;
    for (char& c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c))) {
        c = '_';
      }
    }
    // Names are only ever added, so the search for a base resumes where it last stopped (from
    // 1 each time, a session with n ids tried n^2/2 names).
    for (int& i = next_suffix_[base];; ++i) {
      std::string name = i <= 1 ? base : fmt::format("{}_{}", base, i);
      if (used_names_.insert(name).second) {
        return name;
      }
    }
  }

  std::string substitute(const std::string& text) const { return known_.substitute(text); }

  void substitute_all(json& j) const {
    if (j.is_object() || j.is_array()) {
      for (auto& child : j) {
        substitute_all(child);
      }
    } else if (j.is_string()) {
      j = substitute(j.get<std::string>());
    }
  }

  // A credential seen for the first time becomes a declared variable.
  std::string credential(const std::string& value, const std::string& base) {
    if (value.empty()) {
      return value;
    }
    if (!known_.contains(value)) {
      const std::string name = fresh_var(base);
      vars_.emplace_back(name, value);
      known_.add(value, name);
    }
    return substitute(value);
  }

  static std::string credential_base(const std::string& user, const std::string& service) {
    if (user.starts_with("AC")) {
      return "account_sid";
    }
    if (user.starts_with("SK")) {
      return "api_key_sid";
    }
    return service == "truevault" ? "tv_key" : "user";
  }

  void mask_pii(json& j) const {
    if (j.is_object()) {
      for (const auto& [key, value] : j.items()) {
        if (key == "attributes") {
          value = mask_attributes(value);
        } else {
          mask_pii(value);
        }
      }
    } else if (j.is_array()) {
      for (auto& child : j) {
        mask_pii(child);
      }
    }
  }

  // Captures volatile leaves of the response; returns the expectation without them.
  void capture(json& j, const std::string& pointer, const std::string& key,
               ordered_json& captures) {
    if (j.is_object()) {
      std::vector<std::string> drop;
      for (const auto& [k, v] : j.items()) {
        if (k == "attributes" && !options_.keep_pii) {
          drop.push_back(k);  // masked: never asserted
          continue;
        }
        const std::string child = pointer + "/" + json_pointer_token(k);
        if (v.is_string() && looks_like_date(k, v.get<std::string>())) {
          // Dates are never asserted, not even as equal to an earlier captured date: two
          // dates that coincided while recording need not coincide on replay.
          if (!known_.contains(v.get<std::string>())) {
            const std::string name = fresh_var(k);
            known_.add(v.get<std::string>(), name);
            captures[name] = child;
          }
          drop.push_back(k);
          continue;
        }
        if (v.is_string() && looks_volatile(k, v.get<std::string>()) &&
            !known_.contains(v.get<std::string>()) && !literals_.contains(v.get<std::string>())) {
          const std::string name = fresh_var(k);
          known_.add(v.get<std::string>(), name);
          captures[name] = child;
          drop.push_back(k);
        } else {
          capture(v, child, k, captures);
        }
      }
      for (const auto& k : drop) {
        j.erase(k);
      }
    } else if (j.is_array()) {
      // Arrays compare element by element (scenarios/README.md), so volatile elements keep
      // their place as captured-and-substituted values rather than being removed.
      for (std::size_t i = 0; i < j.size(); ++i) {
        auto& v = j[i];
        const std::string child = pointer + "/" + std::to_string(i);
        if (v.is_string() && looks_volatile(key, v.get<std::string>()) &&
            !known_.contains(v.get<std::string>()) && !literals_.contains(v.get<std::string>())) {
          const std::string name = fresh_var(key);
          known_.add(v.get<std::string>(), name);
          captures[name] = child;
        } else {
          capture(v, child, key, captures);
        }
      }
    }
  }

  void remember_literals(const std::string& text) {
    std::string token;
    for (char c : text + "/") {
      if (c == '/' || c == '?' || c == '&' || c == '=' || c == ',' || c == '.') {
        if (token.size() >= 8) {
          literals_.insert(url_decode(token));
        }
        token.clear();
      } else {
        token += c;
      }
    }
  }

  void remember_json_literals(const json& j) {
    if (j.is_object() || j.is_array()) {
      for (const auto& child : j) {
        remember_json_literals(child);
      }
    } else if (j.is_string()) {
      literals_.insert(j.get<std::string>());
    }
  }

  ordered_json step(const json& e, int n) {
    const std::string service = e.value("service", std::string());
    const std::string method = e.value("method", std::string("GET"));
    const std::string path = e.value("path", std::string("/"));
    const std::string query = e.value("query", std::string());
    const json headers = e.value("headers", json::object());

    ordered_json s = ordered_json::object();
    std::string lower = method;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    s["id"] = fmt::format("{:02}_{}_{}", n, lower, slug(path));
    s["service"] = service;
    s["method"] = method;

    // Credentials first: they become declared vars that the path may reuse (AccountSid).
    std::string auth_text;
    const std::string authorization = headers.value("Authorization", std::string());
    if (auto basic = parse_basic_auth(authorization)) {
      const std::string user =
          credential(basic->username, credential_base(basic->username, service));
      const std::string pass =
          credential(basic->password, service == "twilio" ? "secret" : "password");
      auth_text = user + ":" + pass;
    }
    remember_literals(path);
    remember_literals(query);
    s["path"] = substitute(query.empty() ? path : path + "?" + query);
    if (!auth_text.empty()) {
      s["basic_auth"] = auth_text;
    } else if (!authorization.empty()) {
      s["headers"] = {{"Authorization", substitute(authorization)}};
    }

    const std::string body = e.value("body", std::string());
    const std::string type = media_type(headers.value("Content-Type", std::string()));
    if (!body.empty()) {
      // JSON nested deeper than any real request is kept as text: the walks below recurse
      // once per level (a 100k-deep body would overflow the stack).
      const bool json_body =
          type == "application/json" && !json_nesting_exceeds(body, kMaxRecordedJsonDepth);
      auto parsed = json_body ? json::parse(body, nullptr, false) : json();
      if (json_body && !parsed.is_discarded()) {
        remember_json_literals(parsed);
        if (!options_.keep_pii) {
          mask_pii(parsed);
        }
        substitute_all(parsed);
        s["json"] = parsed;
      } else if (type == "application/x-www-form-urlencoded" || type == "multipart/form-data") {
        ordered_json form = ordered_json::array();
        const Form fields = parse_urlencoded(body);
        for (const auto& [k, v] : fields.fields()) {
          literals_.insert(v);
          std::string value = v;
          if (k == "attributes" && !options_.keep_pii) {
            value = mask_attributes(json(v)).get<std::string>();
          }
          form.push_back({k, substitute(value)});
        }
        s["form"] = form;
      } else {
        s["headers"]["Content-Type"] = headers.value("Content-Type", std::string());
        s["body"] = substitute(body);
      }
    }

    ordered_json expect = ordered_json::object();
    expect["status"] = e.value("status", 0);
    ordered_json captures = ordered_json::object();
    if (e.contains("response") && (e["response"].is_object() || e["response"].is_array())) {
      json response = e["response"];
      capture(response, "", "", captures);
      substitute_all(response);
      expect["json"] = response;
    }
    s["expect"] = expect;
    if (!captures.empty()) {
      s["capture"] = captures;
    }
    return s;
  }

  const RecordOptions& options_;
  std::vector<std::pair<std::string, std::string>> vars_;  // declared credentials, in order
  ValueIndex known_;                                       // value -> variable name
  std::set<std::string> literals_;  // values the client sent: stable, asserted as they are
  std::set<std::string> used_names_;
  std::map<std::string, int> next_suffix_;  // base -> the first suffix not yet tried
};

}  // namespace

ordered_json to_scenario(const std::vector<json>& entries, const RecordOptions& options) {
  return Recorder(options).run(entries);
}

}  // namespace mock::common
