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
