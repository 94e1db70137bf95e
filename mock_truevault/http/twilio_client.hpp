#pragma once
// SmsGateway over HTTP to Twilio or anything Twilio-compatible (mock_twilio): a
// form-encoded POST to {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json with HTTP
// Basic username:password, exactly as TrueVault calls api.twilio.com.
//
// Connections: a pool of keep-alive httplib::Clients with TCP_NODELAY
// (cpp-httplib-performance.md: Nagle against delayed ACKs costs ~40 ms per request). An
// httplib::Client is not safe for concurrent use, so each send() takes one client out of the
// pool (or makes one) and puts it back afterwards: no new TCP connection per SMS, no sharing.
// Connect, read and write timeouts bound every call; a dead or silent Twilio gives a
// kUnreachable/kTimeout failure, never a hang.
//
// Thread safety: send() may be called concurrently.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <httplib.h>
#include <spdlog/logger.h>

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
  TwilioClient(Options options, std::shared_ptr<spdlog::logger> log);

  common::Result<SmsSent, SmsFailure> send(const SmsMessage& message) override;

  // Connections made so far (tests pin the reuse).
  std::size_t connections_created() const;

 private:
  std::unique_ptr<httplib::Client> acquire();
  void release(std::unique_ptr<httplib::Client> client);

  Options options_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  std::size_t created_ = 0;
};

}  // namespace mock::truevault::http
