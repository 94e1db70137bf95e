#pragma once
// SmsGateway over HTTP to Twilio or anything Twilio-compatible (mock_twilio): a
// form-encoded POST to {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json with HTTP
// Basic username:password, exactly as TrueVault calls api.twilio.com.
//
// Connections: a pool of keep-alive connections with TCP_NODELAY (cpp-httplib-performance.md:
// Nagle against delayed ACKs costs ~40 ms per request): for http:// URLs common::HttpConnection
// (the request in one send(), no poll() before each read, no header maps:
// common/http_connection.hpp), for https:// httplib's SSLClient. Neither is safe for concurrent
// use, so each send() takes one connection out of the pool (or makes one) and puts it back
// afterwards: no new TCP connection per SMS, no sharing. Connect, read and write timeouts bound
// every call; a dead or silent Twilio gives a kUnreachable/kTimeout failure, never a hang.
//
// Thread safety: send() may be called concurrently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>
#include <spdlog/logger.h>

#include "common/http_connection.hpp"
#include "mock_truevault/domain/messaging.hpp"

namespace mock::truevault::http {

class TwilioClient final : public SmsGateway {
 public:
  struct Options {
    std::string base_url = "http://127.0.0.1:8082";  // scheme://host[:port], no path
    std::chrono::milliseconds timeout{5000};         // connect, read and write, each
    // Idle connections kept: as many as there can be concurrent sends (one per server
    // worker thread, common::kDefaultThreads). With fewer, 16 concurrent clients made the pool
    // close and reopen a TCP connection to Twilio on about every other SMS (bench/README.md).
    std::size_t max_idle = 32;
  };
  // `base_url_source`, when set, is called once (at the first send) for the base URL instead
  // of options.base_url: `mockenv up` builds mock_truevault while its mock_twilio is still
  // binding port 0.
  TwilioClient(Options options, std::shared_ptr<spdlog::logger> log,
               std::function<std::string()> base_url_source = {});

  common::Result<SmsSent, SmsFailure> send(const SmsMessage& message) override;

  // Connections made so far (tests pin the reuse).
  std::size_t connections_created() const;

  // One pooled connection: `plain` for http://, `tls` for https://.
  struct Connection {
    std::unique_ptr<common::HttpConnection> plain;
    std::unique_ptr<httplib::ClientImpl> tls;
  };

 private:
  // A pooled connection (or a new one) and the base URL it talks to.
  Connection acquire(std::string& base_url);
  void release(Connection connection);

  Options options_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  std::vector<Connection> idle_;
  std::size_t created_ = 0;
  std::function<std::string()> base_url_source_;
  bool resolved_ = false;  // base_url_source_ has been asked
};

// What send() reads from Twilio's reply: the top-level "sid", "code" and "message", found by
// a SAX pass over the body. Building the whole reply as a nlohmann::json (~25 keys, nested
// subresource_uris) cost ~100k instructions per SMS for three fields (bench/README.md).
struct TwilioReply {
  bool is_object = false;              // the body is one valid JSON object
  std::optional<std::string> sid;      // a string "sid" member
  std::optional<std::int64_t> code;    // an integer "code" member
  std::optional<std::string> message;  // a string "message" member
};
// Members as the DOM would see them: the last of duplicate keys wins, a member of another type
// counts as absent, nested objects are not looked into; invalid JSON is not an object.
TwilioReply read_twilio_reply(std::string_view body);

}  // namespace mock::truevault::http
