#include "mock_truevault/http/twilio_client.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/connection_loop.hpp"
#include "common/crypto.hpp"
#include "common/form.hpp"

namespace mock::truevault::http {

namespace {

// The SAX handler behind read_twilio_reply(): records the top-level members it is after and
// skips everything else without building it.
class ReplyReader {
 public:
  using json = nlohmann::json;
  explicit ReplyReader(TwilioReply& out) : out_(out) {}

  bool null() { return other(); }
  bool boolean(bool /*value*/) { return other(); }
  bool number_integer(json::number_integer_t value) { return integer(value); }
  bool number_unsigned(json::number_unsigned_t value) {
    return integer(static_cast<std::int64_t>(value));
  }
  bool number_float(json::number_float_t /*value*/, const json::string_t& /*text*/) {
    return other();
  }
  bool string(json::string_t& value) {
    if (member() && field_ == Field::kSid) {
      out_.sid = std::move(value);
    } else if (member() && field_ == Field::kMessage) {
      out_.message = std::move(value);
    } else {
      other();
    }
    return true;
  }
  bool binary(json::binary_t& /*value*/) { return other(); }
  bool start_object(std::size_t /*elements*/) {
    if (depth_ == 0) {
      out_.is_object = true;
    } else {
      other();
    }
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t /*elements*/) {
    other();
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(json::string_t& name) {
    if (depth_ == 1) {
      field_ = name == "sid"       ? Field::kSid
               : name == "code"    ? Field::kCode
               : name == "message" ? Field::kMessage
                                   : Field::kOther;
    }
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  enum class Field { kOther, kSid, kCode, kMessage };

  // A value of the top-level object (not of a nested container).
  bool member() const { return depth_ == 1 && out_.is_object; }
  // A value that is not what the current member must hold: that member counts as absent.
  bool other() {
    if (member()) {
      if (field_ == Field::kSid) out_.sid.reset();
      if (field_ == Field::kCode) out_.code.reset();
      if (field_ == Field::kMessage) out_.message.reset();
    }
    return true;
  }
  bool integer(std::int64_t value) {
    if (member() && field_ == Field::kCode) {
      out_.code = value;
      return true;
    }
    return other();
  }

  TwilioReply& out_;
  int depth_ = 0;
  Field field_ = Field::kOther;
};

// A client for `base_url` (scheme://host[:port], checked by the caller): http through the
// project's buffered stream (one send per SMS, no poll before each read), https through
// httplib's SSLClient.
std::unique_ptr<httplib::ClientImpl> make_client(std::string_view base_url) {
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
  if (tls) return std::make_unique<httplib::SSLClient>(std::string(host), number);
  return std::make_unique<common::HttpClient>(std::string(host), number);
}

}  // namespace

TwilioReply read_twilio_reply(std::string_view body) {
  TwilioReply reply;
  ReplyReader reader(reply);
  if (!nlohmann::json::sax_parse(body, &reader)) return TwilioReply{};
  return reply;
}

TwilioClient::TwilioClient(Options options, std::shared_ptr<spdlog::logger> log,
                           std::function<std::string()> base_url_source)
    : options_(std::move(options)),
      log_(std::move(log)),
      base_url_source_(std::move(base_url_source)) {}

std::unique_ptr<httplib::ClientImpl> TwilioClient::acquire(std::string& base_url) {
  {
    std::lock_guard lock(mutex_);
    if (!resolved_) {
      if (base_url_source_) options_.base_url = base_url_source_();
      resolved_ = true;
    }
    base_url = options_.base_url;
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
    ++created_;
  }
  auto client = make_client(base_url);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(options_.timeout);
  client->set_read_timeout(options_.timeout);
  client->set_write_timeout(options_.timeout);
  return client;
}

void TwilioClient::release(std::unique_ptr<httplib::ClientImpl> client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle) idle_.push_back(std::move(client));
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
  const httplib::Headers headers = {
      {"Authorization",
       "Basic " + common::base64_encode(message.auth.username + ":" + message.auth.password)},
      {"Accept", "application/json"},
      {"User-Agent", "mock-truevault"},
  };

  std::string base_url;
  auto client = acquire(base_url);
  const auto started = std::chrono::steady_clock::now();
  auto res =
      client->Post(path, headers, common::encode_form(form), "application/x-www-form-urlencoded");
  if (!res) {
    const auto error = res.error();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    // The failed connection is dropped, not pooled.
    SmsFailure failure;
    if (error == httplib::Error::ConnectionTimeout ||
        (error == httplib::Error::Read && elapsed >= options_.timeout * 9 / 10)) {
      failure.kind = SmsFailure::Kind::kTimeout;
      failure.timeout_ms = options_.timeout.count();
      failure.message = "timed out";
    } else {
      failure.kind = SmsFailure::Kind::kUnreachable;
      failure.message = fmt::format("{} ({})", httplib::to_string(error), base_url);
    }
    log_->warn("Twilio request failed: {}", failure.message);
    return common::fail(failure);
  }
  release(std::move(client));

  TwilioReply reply = read_twilio_reply(res->body);
  if (res->status >= 200 && res->status < 300) {
    if (reply.sid) return SmsSent{std::move(*reply.sid)};
    return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res->status, 0,
                                   fmt::format("HTTP {} without a message sid", res->status), 0});
  }
  if (reply.code) {
    return common::fail(SmsFailure{SmsFailure::Kind::kRejected, res->status,
                                   static_cast<int>(*reply.code),
                                   std::move(reply.message).value_or(std::string()), 0});
  }
  return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res->status, 0,
                                 fmt::format("HTTP {} without Twilio's error JSON", res->status),
                                 0});
}

}  // namespace mock::truevault::http
