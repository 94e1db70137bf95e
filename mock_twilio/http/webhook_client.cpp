#include "mock_twilio/http/webhook_client.hpp"

#include <httplib.h>

#include "common/clock.hpp"
#include "common/form.hpp"

namespace mock::twilio::http {
namespace {

struct Target {
  std::string host;
  int port = 80;
  std::string path;  // path + query, "/" when empty
};

// http://host[:port][/path][?query]; nullopt for anything else.
std::optional<Target> parse_http_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  const auto rest = std::string_view(url).substr(kScheme.size());
  const auto slash = rest.find_first_of("/?");
  const auto authority = rest.substr(0, slash);
  Target t;
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (t.path.starts_with("?")) t.path = "/" + t.path;
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const auto port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return std::nullopt;
    t.port = p;
    t.host = std::string(authority.substr(0, colon));
  } else {
    t.host = std::string(authority);
  }
  if (t.host.empty()) return std::nullopt;
  return t;
}

}  // namespace

WebhookResponse HttplibWebhookSender::post(const WebhookRequest& request) {
  WebhookResponse out;
  const auto target = parse_http_url(request.url);
  if (!target) {
    out.error = "unsupported URL (only http://host[:port]/path is reachable)";
    return out;
  }
  httplib::Client client(target->host, target->port);
  client.set_tcp_nodelay(true);
  client.set_keep_alive(false);
  client.set_connection_timeout(request.timeout);
  client.set_read_timeout(request.timeout);
  client.set_write_timeout(request.timeout);
  const httplib::Headers headers{{"User-Agent", "TwilioProxy/1.1"},
                                 {"X-Twilio-Signature", request.signature},
                                 {"I-Twilio-Idempotency-Token", request.idempotency_token},
                                 {"Accept", "*/*"}};
  std::vector<common::Form::Field> fields(request.params.begin(), request.params.end());
  const auto started = common::steady_now();
  auto res = client.Post(target->path.c_str(), headers, common::encode_form(fields),
                         "application/x-www-form-urlencoded");
  out.latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(common::steady_now() - started);
  if (!res) {
    switch (res.error()) {
      case httplib::Error::Connection:
        out.error = "connection failed (refused or unreachable)";
        break;
      case httplib::Error::Read:
        out.error = "timeout or connection closed while reading the response";
        break;
      case httplib::Error::Write:
        out.error = "connection closed while sending";
        break;
      default:
        out.error = httplib::to_string(res.error());
        break;
    }
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  out.content_type = res->get_header_value("Content-Type");
  return out;
}

}  // namespace mock::twilio::http
