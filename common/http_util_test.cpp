#include "common/http_util.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include "common/logging.hpp"
#include "common/server_runner.hpp"

using mock::common::guarded;
using mock::common::ListenConfig;
using mock::common::ServerRunner;

namespace {

// A content-reader route that answers 401 without reading the body (as an authentication
// check before the upload does), and a plain route to call next on the same connection.
struct EarlyAnswerServer {
  httplib::Server server;
  std::unique_ptr<ServerRunner> runner;

  EarlyAnswerServer() {
    auto log = mock::common::make_logger("http_util_test", spdlog::level::off);
    auto render = [](httplib::Response& res, const std::string&) { res.status = 500; };
    server.Post("/upload", guarded(
                               [](const httplib::Request&, httplib::Response& res,
                                  const httplib::ContentReader&) {
                                 res.status = 401;
                                 res.set_content("{}", "application/json");
                               },
                               render, log));
    server.Get("/next", guarded([](const httplib::Request&,
                                   httplib::Response& res) { res.set_content("ok", "text/plain"); },
                                render, log));
    ListenConfig config;
    config.announce = false;
    config.threads = 2;
    auto started = ServerRunner::start(server, config);
    REQUIRE(started.has_value());
    runner = std::move(*started);
  }
};

}  // namespace

// Regression (fuzz/corpus/truevault_http/crash-unread-body-keepalive): the unread body stayed
// in the keep-alive connection and the next request on it got 400 "malformed HTTP request".
TEST_CASE("guarded content-reader routes drain a body the handler did not read",
          "[common][http_util]") {
  EarlyAnswerServer s;
  httplib::Client client("127.0.0.1", s.runner->port());
  client.set_keep_alive(true);

  SECTION("urlencoded body") {
    auto first =
        client.Post("/upload", "To=%2B15550001111&Body=hello", "application/x-www-form-urlencoded");
    REQUIRE(first);
    CHECK(first->status == 401);
  }
  SECTION("multipart body") {
    auto first = client.Post(
        "/upload", "--b\r\nContent-Disposition: form-data; name=\"To\"\r\n\r\n+1555\r\n--b--\r\n",
        "multipart/form-data; boundary=b");
    REQUIRE(first);
    CHECK(first->status == 401);
  }
  auto next = client.Get("/next");
  REQUIRE(next);
  CHECK(next->status == 200);
  CHECK(next->body == "ok");
}

TEST_CASE("find_header finds what httplib's get_header_value finds", "[common][http]") {
  httplib::Headers headers;
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"},
                                                        {"content-length", "12"},
                                                        {"X-Twice", "first"},
                                                        {"x-twice", "second"},
                                                        {"X-TWICE", "third"},
                                                        {"Authorization", "Basic eDp5"},
                                                        {"X-\xc3\x89t\xc3\xa9", "utf8"},
                                                        {"X-[]", "brackets"},
                                                        {"X-{}", "braces"},
                                                        {"", "empty name"}}) {
    headers.emplace(name, value);
  }
  httplib::Request req;
  req.headers = headers;
  for (const std::string name :
       {"Content-Type", "CONTENT-TYPE", "content-type", "Content-Length", "x-twice", "X-Twice",
        "authorization", "Authorizatio", "Authorization ", "X-\xc3\x89t\xc3\xa9",
        "x-\xc3\x89T\xc3\xa9", "X-[]", "x-[]", "X-{}", "X-{]", "", "Missing", "X-TWICE"}) {
    INFO(name);
    const std::string* found = mock::common::find_header(headers, name);
    CHECK((found != nullptr) == req.has_header(name));
    CHECK((found ? *found : std::string()) == req.get_header_value(name));
  }
  CHECK(*mock::common::find_header(headers, "x-TwIcE") == "first");
  // '[' (0x5b) and '{' (0x7b) differ by 0x20 as 'A' and 'a' do: not the same letter.
  CHECK(*mock::common::find_header(headers, "X-[]") == "brackets");
  CHECK(*mock::common::find_header(headers, "X-{}") == "braces");
}

TEST_CASE("header_value ends at a NUL byte, as httplib's get_header_value does", "[common][http]") {
  httplib::Request req;
  req.headers.emplace("Content-Type", std::string("application/vnd\0x+json", 22));
  req.headers.emplace("Content-Length", std::string("12\0"
                                                    "3",
                                                    4));
  for (const char* name : {"Content-Type", "content-length", "Missing"}) {
    INFO(name);
    CHECK(mock::common::header_value(req.headers, name) == req.get_header_value(name));
  }
  CHECK(mock::common::header_value(req.headers, "content-type") == "application/vnd");
  CHECK(mock::common::find_header(req.headers, "content-type")->size() == 22);
}
