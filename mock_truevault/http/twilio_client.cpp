#include "mock_truevault/http/twilio_client.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
#include "common/http_connection.hpp"

namespace mock::truevault::http {

namespace {

// The reader behind read_twilio_reply(): one pass over the text that checks it is JSON as
// nlohmann's parser does (RFC 8259 grammar, strings of well-formed UTF-8 without raw control
// characters, escapes and surrogate pairs, numbers, true/false/null, a leading UTF-8 BOM
// skipped, nothing but whitespace after the value, up to a NUL byte) and hands out the values of
// the top-level object's members. Nothing is built but the three strings wanted. nlohmann's SAX
// parser copied every character of every token into two buffers: ~75k instructions per 1 KB reply,
// a fifth of mock_truevault's work per SMS (bench/README.md, session 6).
class ReplyScanner {
  // Bytes a string holds as they are: printable ASCII but the quote and the backslash.
  static constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return plain;
  }();

 public:
  explicit ReplyScanner(std::string_view text) : s_(text) {}

  bool read(TwilioReply& out) {
    if (!skip_bom()) return false;
    enum class Next { kValue, kKey, kAfterValue };
    Next next = Next::kValue;
    Field field = Field::kOther;  // the top-level member whose value comes next
    for (;;) {
      skip_ws();
      if (next == Next::kKey) {
        std::string_view name;
        std::string decoded;
        if (!text(name, decoded)) return false;
        field = Field::kOther;
        if (stack_.size() == 1) {
          field = name == "sid"       ? Field::kSid
                  : name == "code"    ? Field::kCode
                  : name == "message" ? Field::kMessage
                                      : Field::kOther;
        }
        skip_ws();
        if (!eat(':')) return false;
        next = Next::kValue;
        continue;
      }
      if (next == Next::kAfterValue) {
        // nlohmann reads a NUL byte outside a string as the end of the input.
        if (stack_.empty()) return pos_ == s_.size() || s_[pos_] == '\0';
        const char open = stack_.back();
        if (eat(',')) {
          next = open == '{' ? Next::kKey : Next::kValue;
        } else if (eat(open == '{' ? '}' : ']')) {
          stack_.pop_back();
        } else {
          return false;
        }
        continue;
      }
      // A value; `member` when it is the value of a top-level member.
      const bool member = stack_.size() == 1 && stack_.back() == '{';
      const Field target = member ? field : Field::kOther;
      if (pos_ == s_.size()) return false;
      const char c = s_[pos_];
      if (c == '{' || c == '[') {
        if (stack_.empty() && c == '{') out.is_object = true;
        absent(out, target);
        stack_.push_back(c);
        ++pos_;
        skip_ws();
        if (eat(c == '{' ? '}' : ']')) {
          stack_.pop_back();
          next = Next::kAfterValue;
        } else {
          next = c == '{' ? Next::kKey : Next::kValue;
        }
        continue;
      }
      if (c == '"') {
        std::string_view value;
        std::string decoded;
        if (!text(value, decoded)) return false;
        if (target == Field::kSid || target == Field::kMessage) {
          (target == Field::kSid ? out.sid : out.message) = std::string(value);
        } else {
          absent(out, target);
        }
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        std::optional<std::int64_t> integer;
        if (!number(integer)) return false;
        if (target == Field::kCode && integer) {
          out.code = integer;
        } else {
          absent(out, target);
        }
      } else if (literal("true") || literal("false") || literal("null")) {
        absent(out, target);
      } else {
        return false;
      }
      next = Next::kAfterValue;
    }
  }

 private:
  enum class Field { kOther, kSid, kCode, kMessage };

  // A member holding a value of another type counts as absent (the last duplicate decides).
  static void absent(TwilioReply& out, Field field) {
    if (field == Field::kSid) out.sid.reset();
    if (field == Field::kCode) out.code.reset();
    if (field == Field::kMessage) out.message.reset();
  }

  bool skip_bom() {
    if (!s_.starts_with('\xEF')) return true;
    if (!s_.starts_with("\xEF\xBB\xBF")) return false;
    pos_ = 3;
    return true;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  std::uint8_t byte(std::size_t at) const {
    return at < s_.size() ? static_cast<std::uint8_t>(s_[at]) : 0;
  }
  bool continuation(std::size_t at, std::uint8_t lo = 0x80, std::uint8_t hi = 0xBF) const {
    const std::uint8_t b = byte(at);
    return at < s_.size() && b >= lo && b <= hi;
  }
  // Four hex digits at pos_ (after "\u"), as a code unit.
  bool hex4(unsigned& unit) {
    if (pos_ + 4 > s_.size()) return false;
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      const int v = h >= '0' && h <= '9'   ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
      if (v < 0) return false;
      unit = unit * 16 + static_cast<unsigned>(v);
    }
    return true;
  }
  // A string token at pos_: `raw` is what lies between the quotes; `escaped` if it holds '\'.
  bool string(std::string_view& raw, bool& escaped) {
    if (!eat('"')) return false;
    const std::size_t begin = pos_;
    for (;;) {
      // Printable ASCII first: nearly every byte of a reply (locals, so that the loop keeps
      // them in registers: a char store could alias the members).
      const char* p = s_.data() + pos_;
      const char* const end = s_.data() + s_.size();
      while (p < end && kPlain[static_cast<std::uint8_t>(*p)]) ++p;
      pos_ = static_cast<std::size_t>(p - s_.data());
      if (pos_ >= s_.size()) return false;
      const std::uint8_t b = byte(pos_);
      if (b == '"') break;
      if (b < 0x20) return false;
      if (b == '\\') {
        escaped = true;
        ++pos_;
        const char e = pos_ < s_.size() ? s_[pos_++] : '\0';
        if (e == 'u') {
          unsigned unit = 0;
          if (!hex4(unit)) return false;
          if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a low surrogate alone
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            unsigned low = 0;
            if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) {
              return false;
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos || e == '\0') {
          return false;
        }
        continue;
      }
      // UTF-8 as RFC 3629 allows it: no overlong forms, no surrogates, nothing past U+10FFFF.
      std::size_t length = 1;
      if (b >= 0xC2 && b <= 0xDF) {
        length = continuation(pos_ + 1) ? 2 : 0;
      } else if (b == 0xE0) {
        length = continuation(pos_ + 1, 0xA0) && continuation(pos_ + 2) ? 3 : 0;
      } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
        length = continuation(pos_ + 1) && continuation(pos_ + 2) ? 3 : 0;
      } else if (b == 0xED) {
        length = continuation(pos_ + 1, 0x80, 0x9F) && continuation(pos_ + 2) ? 3 : 0;
      } else if (b == 0xF0) {
        length = continuation(pos_ + 1, 0x90) && continuation(pos_ + 2) && continuation(pos_ + 3)
                     ? 4
                     : 0;
      } else if (b >= 0xF1 && b <= 0xF3) {
        length = continuation(pos_ + 1) && continuation(pos_ + 2) && continuation(pos_ + 3) ? 4 : 0;
      } else if (b == 0xF4) {
        length =
            continuation(pos_ + 1, 0x80, 0x8F) && continuation(pos_ + 2) && continuation(pos_ + 3)
                ? 4
                : 0;
      } else if (b >= 0x80) {
        length = 0;
      }
      if (length == 0) return false;
      pos_ += length;
    }
    raw = s_.substr(begin, pos_ - begin);
    ++pos_;  // the closing quote
    return true;
  }
  // A number token at pos_; `integer` holds its value when nlohmann would make it an integer
  // (no fraction or exponent, within int64, or within uint64 and then cast as the DOM's get()).
  bool number(std::optional<std::int64_t>& integer) {
    const std::size_t begin = pos_;
    const bool negative = eat('-');
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (eat('0')) {
      // a leading zero stands alone: "01" ends the number after "0" (the grammar refuses it)
    } else if (pos_ < s_.size() && s_[pos_] >= '1' && s_[pos_] <= '9') {
      digits();
    } else {
      return false;
    }
    bool is_integer = true;
    if (eat('.')) {
      is_integer = false;
      if (digits() == 0) return false;
    }
    if (eat('e') || eat('E')) {
      is_integer = false;
      if (!eat('+')) eat('-');
      if (digits() == 0) return false;
    }
    const std::string text(s_.substr(begin, pos_ - begin));
    errno = 0;
    if (is_integer && negative) {
      const long long v = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) integer = static_cast<std::int64_t>(v);
    } else if (is_integer) {
      const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
      if (errno == 0) integer = static_cast<std::int64_t>(v);
    }
    if (integer) return true;
    // A float (or an integer past 64 bits, which nlohmann reads as one): past double's range
    // it is nlohmann's "number overflow", a parse error.
    return std::isfinite(std::strtod(text.c_str(), nullptr));
  }
  // A string token at pos_, as text: `view` is its bytes when it holds no escape, else the
  // decoded text kept in `storage` (rare: Twilio's replies are plain ASCII).
  bool text(std::string_view& view, std::string& storage) {
    bool escaped = false;
    if (!string(view, escaped)) return false;
    if (!escaped) return true;
    const auto token = nlohmann::json::parse("\"" + std::string(view) + "\"", nullptr, false);
    if (!token.is_string()) return false;
    storage = token.get<std::string>();
    view = storage;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string stack_;  // the open containers, '{' or '['
};

// A connection for `base_url` (scheme://host[:port], checked by the caller): http through
// common::HttpConnection, https through httplib's SSLClient.
TwilioClient::Connection make_connection(std::string_view base_url,
                                         std::chrono::milliseconds timeout) {
  const bool tls = base_url.starts_with("https://");
  std::string_view rest = base_url.substr(base_url.find("://") + 3);
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]: httplib wants it without the brackets
    const std::size_t end = rest.find(']');
    host = rest.substr(1, end - 1);
    port = rest.substr(end + 1);
  } else if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon);
  }
  const int number = port.starts_with(':') ? std::atoi(std::string(port.substr(1)).c_str())
                     : tls                 ? 443
                                           : 80;
  TwilioClient::Connection connection;
  if (!tls) {
    connection.plain = std::make_unique<common::HttpConnection>(std::string(host), number, timeout);
    return connection;
  }
  connection.tls = std::make_unique<httplib::SSLClient>(std::string(host), number);
  connection.tls->set_keep_alive(true);
  connection.tls->set_tcp_nodelay(true);
  connection.tls->set_connection_timeout(timeout);
  connection.tls->set_read_timeout(timeout);
  connection.tls->set_write_timeout(timeout);
  return connection;
}

// What came back: a status and a body, or why nothing did.
struct Exchange {
  int status = 0;
  std::string body;
  std::string error;  // empty when a response came
  bool timed_out = false;
};

Exchange post_plain(common::HttpConnection& connection, const std::string& path,
                    const std::string& authorization, const std::string& form) {
  // The headers httplib's client sent, in its (sorted) order.
  std::string request;
  request.reserve(256 + path.size() + authorization.size() + form.size());
  request.append("POST ").append(path).append(" HTTP/1.1\r\nAccept: application/json\r\n");
  request.append("Authorization: ").append(authorization).append("\r\n");
  request.append("Content-Length: ").append(std::to_string(form.size())).append("\r\n");
  request.append("Content-Type: application/x-www-form-urlencoded\r\nHost: ");
  request.append(connection.host_header()).append("\r\nUser-Agent: mock-truevault\r\n\r\n");
  request.append(form);
  common::HttpConnection::Response response;
  Exchange out;
  const auto error = connection.exchange(request, response);
  if (error != common::HttpConnection::Error::kNone) {
    out.error = std::string(common::to_string(error));
    out.timed_out = error == common::HttpConnection::Error::kConnectTimeout ||
                    error == common::HttpConnection::Error::kReadTimeout;
    return out;
  }
  out.status = response.status;
  out.body = std::move(response.body);
  return out;
}

Exchange post_tls(httplib::ClientImpl& client, const std::string& path,
                  const std::string& authorization, const std::string& form,
                  std::chrono::milliseconds timeout) {
  const httplib::Headers headers = {
      {"Authorization", authorization},
      {"Accept", "application/json"},
      {"User-Agent", "mock-truevault"},
  };
  const auto started = std::chrono::steady_clock::now();
  auto res = client.Post(path, headers, form, "application/x-www-form-urlencoded");
  Exchange out;
  if (!res) {
    const auto error = res.error();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    out.error = httplib::to_string(error);
    out.timed_out = error == httplib::Error::ConnectionTimeout ||
                    (error == httplib::Error::Read && elapsed >= timeout * 9 / 10);
    return out;
  }
  out.status = res->status;
  out.body = std::move(res->body);
  return out;
}

}  // namespace

TwilioReply read_twilio_reply(std::string_view body) {
  TwilioReply reply;
  if (!ReplyScanner(body).read(reply)) return TwilioReply{};
  return reply;
}

TwilioClient::TwilioClient(Options options, std::shared_ptr<spdlog::logger> log,
                           std::function<std::string()> base_url_source)
    : options_(std::move(options)),
      log_(std::move(log)),
      base_url_source_(std::move(base_url_source)) {}

TwilioClient::Connection TwilioClient::acquire(std::string& base_url) {
  {
    std::lock_guard lock(mutex_);
    if (!resolved_) {
      if (base_url_source_) options_.base_url = base_url_source_();
      resolved_ = true;
    }
    base_url = options_.base_url;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++created_;
  }
  return make_connection(base_url, options_.timeout);
}

void TwilioClient::release(Connection connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle) idle_.push_back(std::move(connection));
}

std::size_t TwilioClient::connections_created() const {
  std::lock_guard lock(mutex_);
  return created_;
}

common::Result<SmsSent, SmsFailure> TwilioClient::send(const SmsMessage& message) {
  std::vector<common::Form::Field> form = {
      {"To", message.to}, {"From", message.from}, {"Body", message.body}};
  for (const auto& url : message.media_urls) form.emplace_back("MediaUrl", url);
  const std::string path = fmt::format("/2010-04-01/Accounts/{}/Messages.json",
                                       common::url_encode(message.auth.account_sid));
  const std::string authorization =
      "Basic " + common::base64_encode(message.auth.username + ":" + message.auth.password);
  const std::string body = common::encode_form(form);

  std::string base_url;
  auto connection = acquire(base_url);
  const Exchange res = connection.plain
                           ? post_plain(*connection.plain, path, authorization, body)
                           : post_tls(*connection.tls, path, authorization, body, options_.timeout);
  if (!res.error.empty()) {
    // The failed connection is dropped, not pooled.
    SmsFailure failure;
    if (res.timed_out) {
      failure.kind = SmsFailure::Kind::kTimeout;
      failure.timeout_ms = options_.timeout.count();
      failure.message = "timed out";
    } else {
      failure.kind = SmsFailure::Kind::kUnreachable;
      failure.message = fmt::format("{} ({})", res.error, base_url);
    }
    log_->warn("Twilio request failed: {}", failure.message);
    return common::fail(failure);
  }
  release(std::move(connection));

  TwilioReply reply = read_twilio_reply(res.body);
  if (res.status >= 200 && res.status < 300) {
    if (reply.sid) return SmsSent{std::move(*reply.sid)};
    return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res.status, 0,
                                   fmt::format("HTTP {} without a message sid", res.status), 0});
  }
  if (reply.code) {
    return common::fail(SmsFailure{SmsFailure::Kind::kRejected, res.status,
                                   static_cast<int>(*reply.code),
                                   std::move(reply.message).value_or(std::string()), 0});
  }
  return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res.status, 0,
                                 fmt::format("HTTP {} without Twilio's error JSON", res.status),
                                 0});
}

}  // namespace mock::truevault::http
