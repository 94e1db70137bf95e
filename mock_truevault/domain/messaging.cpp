#include "mock_truevault/domain/messaging.hpp"

#include <fmt/format.h>

#include "mock_truevault/store/store.hpp"

namespace mock::truevault {
namespace {

constexpr std::string_view kProvider = "TWILIO";

common::Result<std::string, ApiError> required_string(const nlohmann::json& object,
                                                      const std::string& key,
                                                      const std::string& name) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return common::fail(errors::missing_parameter(name));
  if (!it->is_string()) return common::fail(errors::invalid_parameter(name, "must be a string"));
  if (it->get_ref<const std::string&>().empty()) {
    return common::fail(errors::missing_parameter(name));
  }
  return it->get<std::string>();
}

common::Result<ValueSpecifier, ApiError> required_specifier(const nlohmann::json& body,
                                                            const std::string& key) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return common::fail(errors::missing_parameter(key));
  return parse_value_specifier(*it, key);
}

}  // namespace

common::Result<ValueSpecifier, ApiError> parse_value_specifier(const nlohmann::json& spec,
                                                               std::string_view field) {
  if (!spec.is_object() || spec.size() != 1) {
    return common::fail(errors::invalid_value_specifier(field));
  }
  const auto it = spec.begin();  // the one member (an iterator, not a dangling items() proxy)
  const std::string& key = it.key();
  const nlohmann::json& value = it.value();
  if (!value.is_string()) return common::fail(errors::invalid_value_specifier(field));
  if (key == "literal_value") {
    return ValueSpecifier{ValueSpecifier::Kind::kLiteral, value.get<std::string>()};
  }
  if (key == "user_attribute" && !value.get_ref<const std::string&>().empty()) {
    return ValueSpecifier{ValueSpecifier::Kind::kUserAttribute, value.get<std::string>()};
  }
  return common::fail(errors::invalid_value_specifier(field));
}

common::Result<std::string, ApiError> resolve_value(const ValueSpecifier& spec,
                                                    const nlohmann::json& attributes) {
  if (spec.kind == ValueSpecifier::Kind::kLiteral) return spec.value;
  if (!attributes.is_object()) return common::fail(errors::attribute_missing(spec.value));
  const auto it = attributes.find(spec.value);
  if (it == attributes.end() || it->is_null()) {
    return common::fail(errors::attribute_missing(spec.value));
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return common::fail(errors::attribute_not_string(spec.value));
}

common::Result<SmsRequest, ApiError> parse_sms_request(const nlohmann::json& body) {
  if (!body.is_object()) return common::fail(errors::invalid_json_body());
  SmsRequest out;
  auto provider = required_string(body, "provider", "provider");
  if (!provider) return common::fail(provider.error());
  if (*provider != kProvider) return common::fail(errors::invalid_provider(kProvider));

  const auto auth = body.find("auth");
  if (auth == body.end() || auth->is_null()) return common::fail(errors::missing_parameter("auth"));
  if (!auth->is_object()) {
    return common::fail(errors::invalid_parameter(
        "auth", "must be an object with account_sid, username and password"));
  }
  auto sid = required_string(*auth, "account_sid", "auth.account_sid");
  if (!sid) return common::fail(sid.error());
  auto username = required_string(*auth, "username", "auth.username");
  if (!username) return common::fail(username.error());
  auto password = required_string(*auth, "password", "auth.password");
  if (!password) return common::fail(password.error());
  out.auth = TwilioAuth{*sid, *username, *password};

  auto from = required_specifier(body, "from_number");
  if (!from) return common::fail(from.error());
  out.from_number = *from;
  auto to = required_specifier(body, "to_number");
  if (!to) return common::fail(to.error());
  out.to_number = *to;

  // message_body is a plain string in every sample (7.3); a value specifier is accepted too.
  const auto message = body.find("message_body");
  if (message == body.end() || message->is_null()) {
    return common::fail(errors::missing_parameter("message_body"));
  }
  if (message->is_string()) {
    out.message_body = ValueSpecifier{ValueSpecifier::Kind::kLiteral, message->get<std::string>()};
  } else {
    auto spec = parse_value_specifier(*message, "message_body");
    if (!spec) return common::fail(spec.error());
    out.message_body = *spec;
  }

  if (const auto media = body.find("media_urls"); media != body.end() && !media->is_null()) {
    if (!media->is_array()) {
      return common::fail(
          errors::invalid_parameter("media_urls", "must be an array of value specifiers"));
    }
    for (std::size_t i = 0; i < media->size(); ++i) {
      auto spec = parse_value_specifier((*media)[i], fmt::format("media_urls[{}]", i));
      if (!spec) return common::fail(spec.error());
      out.media_urls.push_back(*spec);
    }
  }
  return out;
}

namespace {

// read_sms_request()'s reader: whitespace between tokens as JSON allows it, strings of
// printable ASCII without escapes, objects only; fails on anything else.
class SmsBodyReader {
 public:
  explicit SmsBodyReader(std::string_view text) : s_(text) {}

  std::optional<SmsRequest> read() {
    SmsRequest out;
    std::string_view provider;
    std::string_view message;
    unsigned seen = 0;
    const bool ok = object([&](std::string_view key) {
      const unsigned bit = key == "provider"       ? 1U
                           : key == "auth"         ? 2U
                           : key == "from_number"  ? 4U
                           : key == "to_number"    ? 8U
                           : key == "message_body" ? 16U
                                                   : 0U;
      if (bit == 0 || (seen & bit) != 0) return false;
      seen |= bit;
      switch (bit) {
        case 1U:
          return text(provider);
        case 2U:
          return auth(out.auth);
        case 4U:
          return specifier(out.from_number);
        case 8U:
          return specifier(out.to_number);
        default:
          return text(message);
      }
    });
    skip_ws();
    if (!ok || pos_ != s_.size() || seen != 31U || provider != "TWILIO") return std::nullopt;
    out.message_body = ValueSpecifier{ValueSpecifier::Kind::kLiteral, std::string(message)};
    return out;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ == s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool text(std::string_view& out) {
    if (!eat('"')) return false;
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        out = s_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++pos_;
    }
    return false;
  }
  bool text(std::string& out) {
    std::string_view view;
    if (!text(view)) return false;
    out = std::string(view);
    return true;
  }
  // An object; `member(key)` reads each member's value.
  template <typename Member>
  bool object(Member&& member) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    for (;;) {
      std::string_view key;
      if (!text(key) || !eat(':') || !member(key)) return false;
      if (eat('}')) return true;
      if (!eat(',')) return false;
    }
  }
  bool auth(TwilioAuth& out) {
    unsigned seen = 0;
    const bool ok = object([&](std::string_view key) {
      const unsigned bit = key == "account_sid" ? 1U
                           : key == "username"  ? 2U
                           : key == "password"  ? 4U
                                                : 0U;
      if (bit == 0 || (seen & bit) != 0) return false;
      seen |= bit;
      std::string& value = bit == 1U ? out.account_sid : bit == 2U ? out.username : out.password;
      return text(value) && !value.empty();
    });
    return ok && seen == 7U;
  }
  bool specifier(ValueSpecifier& out) {
    int members = 0;
    const bool ok = object([&](std::string_view key) {
      if (++members > 1) return false;
      if (key == "literal_value") {
        out.kind = ValueSpecifier::Kind::kLiteral;
        return text(out.value);
      }
      if (key == "user_attribute") {
        out.kind = ValueSpecifier::Kind::kUserAttribute;
        return text(out.value) && !out.value.empty();
      }
      return false;
    });
    return ok && members == 1;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<SmsRequest> read_sms_request(std::string_view body) {
  return SmsBodyReader(body).read();
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "[redacted]");
      pos += 10;
    }
  }
  return text;
}

Messaging::Messaging(Store& store, Auth& auth, SmsGateway& gateway, const common::Clock& clock)
    : store_(store), auth_(auth), gateway_(gateway), clock_(clock) {}

common::Result<std::string, ApiError> Messaging::send_sms(const Principal& caller,
                                                          const std::string& user_id,
                                                          const nlohmann::json& body) {
  return send_checked(caller, user_id, [&] { return parse_sms_request(body); });
}

common::Result<std::string, ApiError> Messaging::send_sms(const Principal& caller,
                                                          const std::string& user_id,
                                                          const SmsRequest& request) {
  return send_checked(caller, user_id,
                      [&] { return common::Result<SmsRequest, ApiError>(request); });
}

template <typename ReadRequest>
common::Result<std::string, ApiError> Messaging::send_checked(const Principal& caller,
                                                              const std::string& user_id,
                                                              ReadRequest&& read_request) {
  if (auto ok = auth_.authorize(caller, Rule::kSendSms, {.user_id = user_id}); !ok) {
    return common::fail(ok.error());
  }
  auto user = store_.find_user(user_id);
  if (!user || user->account_id != caller.user.account_id) {
    return common::fail(errors::user_not_found(user_id));
  }
  auto request = read_request();
  if (!request) return common::fail(request.error());

  // Resolve every specifier; remember the values that came from attributes (PII).
  std::vector<std::string> private_values;
  auto resolve = [&](const ValueSpecifier& spec) -> common::Result<std::string, ApiError> {
    auto value = resolve_value(spec, user->attributes);
    if (value && spec.kind == ValueSpecifier::Kind::kUserAttribute) {
      private_values.push_back(*value);
    }
    return value;
  };
  SmsMessage message;
  message.auth = request->auth;
  auto from = resolve(request->from_number);
  if (!from) return common::fail(from.error());
  message.from = *from;
  auto to = resolve(request->to_number);
  if (!to) return common::fail(to.error());
  message.to = *to;
  auto text = resolve(request->message_body);
  if (!text) return common::fail(text.error());
  message.body = *text;
  for (const auto& spec : request->media_urls) {
    auto url = resolve(spec);
    if (!url) return common::fail(url.error());
    message.media_urls.push_back(*url);
  }

  auto sent = gateway_.send(message);

  OutboxEntry entry;
  entry.created_at = clock_.now();
  entry.user_id = user->id;
  entry.provider = std::string(kProvider);
  entry.account_sid = message.auth.account_sid;
  entry.from = message.from;
  entry.to = message.to;
  entry.body = message.body;
  entry.media_urls = message.media_urls;
  if (sent) {
    entry.result = "success";
    entry.provider_message_id = sent->provider_message_id;
    store_.insert_outbox(entry);
    return sent->provider_message_id;
  }

  const SmsFailure& failure = sent.error();
  ApiError error;
  switch (failure.kind) {
    case SmsFailure::Kind::kRejected:
      error =
          errors::provider_error(failure.provider_code, redact(failure.message, private_values));
      break;
    case SmsFailure::Kind::kUnreachable:
      error = errors::provider_unreachable(failure.message);
      break;
    case SmsFailure::Kind::kTimeout:
      error = errors::provider_timeout(failure.timeout_ms);
      break;
    case SmsFailure::Kind::kBadResponse:
      error = errors::provider_bad_response(redact(failure.message, private_values));
      break;
  }
  entry.result = "error";
  entry.error_code = error.code;
  // The outbox is the test inspection API: it keeps Twilio's unredacted message.
  entry.error_message =
      failure.kind == SmsFailure::Kind::kRejected
          ? fmt::format("Twilio error {}: {}", failure.provider_code, failure.message)
          : error.message;
  store_.insert_outbox(entry);
  return common::fail(error);
}

std::vector<OutboxEntry> Messaging::outbox() { return store_.list_outbox(); }
void Messaging::clear_outbox() { store_.clear_outbox(); }

}  // namespace mock::truevault
