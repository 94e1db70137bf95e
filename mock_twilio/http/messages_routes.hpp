#pragma once
// Handlers of the Messages resource and of the /_mock/messages inspection API. Each does
// three things: parse -> call the domain -> render (house-style §3.1). Authentication comes
// first in every vendor handler. Handlers never throw on bad input (common::guarded wraps
// them anyway).

#include <memory>

#include <httplib.h>
#include <spdlog/logger.h>

#include "mock_twilio/domain/inbound.hpp"
#include "mock_twilio/domain/messaging.hpp"
#include "mock_twilio/domain/repository.hpp"

namespace mock::twilio::http {

// Path regexes. Captures: kMessagesPath [1] = AccountSid; kMessagePath [1] = AccountSid,
// [2] = message Sid. Any segment matches so that a malformed AccountSid reaches
// authentication (401) and a malformed Sid reaches the lookup (404), as Twilio answers.
inline constexpr const char* kMessagesPath = R"(/2010-04-01/Accounts/([^/]+)/Messages\.json)";
inline constexpr const char* kMessagePath =
    R"(/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json)";
inline constexpr const char* kInspectionPath = "/_mock/messages";

// Request bodies above this get 413 with a Twilio envelope.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{1024} * 1024;  // 1 MiB

struct Deps {
  Messaging& messaging;
  MessageRepository& repository;
  std::shared_ptr<spdlog::logger> log;
  StatusEngine& engine;
  Lifecycle& lifecycle;
  Inbound& inbound;
};

void create_message(Deps& d, const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader);
void list_message(Deps& d, const httplib::Request& req, httplib::Response& res);
void fetch_message(Deps& d, const httplib::Request& req, httplib::Response& res);
void update_message(Deps& d, const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader);
void delete_message(Deps& d, const httplib::Request& req, httplib::Response& res);

// GET /_mock/messages?to=&from=&account_sid=  -> {"messages": [<message JSON>...]} newest
// first; DELETE /_mock/messages -> {"deleted": N}.
void inspect_messages(Deps& d, const httplib::Request& req, httplib::Response& res);
void clear_messages(Deps& d, const httplib::Request& req, httplib::Response& res);

}  // namespace mock::twilio::http
