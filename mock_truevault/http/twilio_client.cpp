#include "mock_truevault/http/twilio_client.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"

namespace mock::truevault::http {

TwilioClient::TwilioClient(Options options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)), log_(std::move(log)) {}

std::unique_ptr<httplib::Client> TwilioClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
    ++created_;
  }
  auto client = std::make_unique<httplib::Client>(options_.base_url);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(options_.timeout);
  client->set_read_timeout(options_.timeout);
  client->set_write_timeout(options_.timeout);
  return client;
}

void TwilioClient::release(std::unique_ptr<httplib::Client> client) {
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

  auto client = acquire();
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
      failure.message = fmt::format("{} ({})", httplib::to_string(error), options_.base_url);
    }
    log_->warn("Twilio request failed: {}", failure.message);
    return common::fail(failure);
  }
  release(std::move(client));

  const auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status >= 200 && res->status < 300) {
    if (body.is_object() && body.contains("sid") && body["sid"].is_string()) {
      return SmsSent{body["sid"].get<std::string>()};
    }
    return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res->status, 0,
                                   fmt::format("HTTP {} without a message sid", res->status), 0});
  }
  if (body.is_object() && body.contains("code") && body["code"].is_number_integer()) {
    const std::string text = body.contains("message") && body["message"].is_string()
                                 ? body["message"].get<std::string>()
                                 : std::string();
    return common::fail(
        SmsFailure{SmsFailure::Kind::kRejected, res->status, body["code"].get<int>(), text, 0});
  }
  return common::fail(SmsFailure{SmsFailure::Kind::kBadResponse, res->status, 0,
                                 fmt::format("HTTP {} without Twilio's error JSON", res->status),
                                 0});
}

}  // namespace mock::truevault::http
