#include "mock_twilio/domain/twiml.hpp"

#include <cctype>
#include <memory>

#include <fmt/format.h>

namespace mock::twilio {
namespace {

constexpr int kMaxDepth = 32;

struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // concatenated direct text
  std::vector<std::unique_ptr<Element>> children;

  std::optional<std::string> attribute(std::string_view n) const {
    for (const auto& [k, v] : attributes) {
      if (k == n) return v;
    }
    return std::nullopt;
  }
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  common::Result<std::unique_ptr<Element>, std::string> document() {
    skip_misc();
    if (error_) return common::fail(*error_);
    if (at_end()) return std::unique_ptr<Element>();
    if (starts("<!DOCTYPE") || starts("<!doctype")) {
      return common::fail(std::string("DOCTYPE declarations are not allowed"));
    }
    auto root = element(0);
    if (!root) return common::fail(error_.value_or("malformed XML"));
    skip_misc();
    if (error_) return common::fail(*error_);
    if (!at_end()) return common::fail(fail_at("content after the root element"));
    return root;
  }

 private:
  bool at_end() const { return pos_ >= in_.size(); }
  bool starts(std::string_view s) const { return in_.substr(pos_).starts_with(s); }
  std::string fail_at(std::string_view what) {
    std::string m = fmt::format("{} at offset {}", what, pos_);
    if (!error_) error_ = m;
    return m;
  }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(in_[pos_])) != 0) ++pos_;
  }
  bool skip_past(std::string_view end) {
    const auto found = in_.find(end, pos_);
    if (found == std::string_view::npos) return false;
    pos_ = found + end.size();
    return true;
  }
  // Whitespace, comments, processing instructions (the XML declaration).
  void skip_misc() {
    for (;;) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) fail_at("unterminated processing instruction");
      } else if (starts("<!--")) {
        if (!skip_past("-->")) fail_at("unterminated comment");
      } else {
        return;
      }
      if (error_) return;
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
           c == ':';
  }
  std::string name() {
    const auto start = pos_;
    while (!at_end() && name_char(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }
  // Decodes entities in raw text; false on an unknown entity.
  bool decode(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos) return false;
      const auto ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "lt") {
        out += '<';
      } else if (ent == "gt") {
        out += '>';
      } else if (ent == "amp") {
        out += '&';
      } else if (ent == "quot") {
        out += '"';
      } else if (ent == "apos") {
        out += '\'';
      } else if (ent.size() > 1 && ent[0] == '#') {
        const bool hex = ent[1] == 'x';
        const auto digits = ent.substr(hex ? 2 : 1);
        if (digits.empty() || digits.size() > 6) return false;
        unsigned long cp = 0;
        for (char c : digits) {
          const int d = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                        : hex && std::isxdigit(static_cast<unsigned char>(c)) != 0
                            ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                            : -1;
          if (d < 0) return false;
          cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
        }
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        append_utf8(out, static_cast<char32_t>(cp));
      } else {
        return false;
      }
      i = semi;
    }
    return true;
  }
  static void append_utf8(std::string& out, char32_t cp) {
    auto put = [&](unsigned v) { out += static_cast<char>(v); };
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | (cp >> 6));
      put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      put(0xE0 | (cp >> 12));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    } else {
      put(0xF0 | (cp >> 18));
      put(0x80 | ((cp >> 12) & 0x3F));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    }
  }

  std::unique_ptr<Element> element(int depth) {
    if (depth >= kMaxDepth) {
      fail_at("elements nested too deeply");
      return nullptr;
    }
    if (!starts("<")) {
      fail_at("expected '<'");
      return nullptr;
    }
    ++pos_;
    auto e = std::make_unique<Element>();
    e->name = name();
    if (e->name.empty()) {
      fail_at("expected an element name");
      return nullptr;
    }
    for (;;) {
      skip_space();
      if (at_end()) {
        fail_at("unterminated start tag");
        return nullptr;
      }
      if (starts("/>")) {
        pos_ += 2;
        return e;
      }
      if (in_[pos_] == '>') {
        ++pos_;
        break;
      }
      auto attr = name();
      if (attr.empty()) {
        fail_at("expected an attribute name");
        return nullptr;
      }
      skip_space();
      if (at_end() || in_[pos_] != '=') {
        fail_at("expected '='");
        return nullptr;
      }
      ++pos_;
      skip_space();
      if (at_end() || (in_[pos_] != '"' && in_[pos_] != '\'')) {
        fail_at("expected a quoted attribute value");
        return nullptr;
      }
      const char quote = in_[pos_++];
      const auto end = in_.find(quote, pos_);
      if (end == std::string_view::npos) {
        fail_at("unterminated attribute value");
        return nullptr;
      }
      std::string value;
      const auto raw = in_.substr(pos_, end - pos_);
      if (raw.find('<') != std::string_view::npos || !decode(raw, value)) {
        fail_at("invalid attribute value");
        return nullptr;
      }
      pos_ = end + 1;
      e->attributes.emplace_back(std::move(attr), std::move(value));
    }
    // Content.
    for (;;) {
      if (at_end()) {
        fail_at(fmt::format("missing </{}>", e->name));
        return nullptr;
      }
      if (starts("</")) {
        pos_ += 2;
        const auto closing = name();
        skip_space();
        if (closing != e->name || at_end() || in_[pos_] != '>') {
          fail_at(fmt::format("mismatched end tag (expected </{}>)", e->name));
          return nullptr;
        }
        ++pos_;
        return e;
      }
      if (starts("<!--")) {
        if (!skip_past("-->")) {
          fail_at("unterminated comment");
          return nullptr;
        }
      } else if (starts("<![CDATA[")) {
        pos_ += 9;
        const auto end = in_.find("]]>", pos_);
        if (end == std::string_view::npos) {
          fail_at("unterminated CDATA section");
          return nullptr;
        }
        e->text += in_.substr(pos_, end - pos_);
        pos_ = end + 3;
      } else if (starts("<!") || starts("<?")) {
        fail_at("declarations are not allowed here");
        return nullptr;
      } else if (in_[pos_] == '<') {
        auto child = element(depth + 1);
        if (!child) return nullptr;
        e->children.push_back(std::move(child));
      } else {
        const auto end = in_.find('<', pos_);
        const auto raw =
            in_.substr(pos_, end == std::string_view::npos ? in_.size() - pos_ : end - pos_);
        if (!decode(raw, e->text)) {
          fail_at("unknown or malformed entity reference");
          return nullptr;
        }
        pos_ += raw.size();
      }
    }
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::optional<std::string> error_;
};

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

common::Result<std::vector<TwimlMessage>, std::string> parse_twiml(std::string_view xml) {
  Reader reader(xml);
  auto root = reader.document();
  if (!root) return common::fail(root.error());
  std::vector<TwimlMessage> out;
  if (!*root) return out;  // empty document: no reply
  if ((*root)->name != "Response") {
    return common::fail(fmt::format("the root element is <{}>, not <Response>", (*root)->name));
  }
  for (const auto& verb : (*root)->children) {
    if (verb->name != "Message") continue;
    TwimlMessage m;
    m.to = verb->attribute("to");
    m.from = verb->attribute("from");
    std::string body = verb->text;
    for (const auto& child : verb->children) {
      if (child->name == "Body") body += child->text;
      if (child->name == "Media") m.media.push_back(trimmed(child->text));
    }
    m.body = trimmed(body);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace mock::twilio
