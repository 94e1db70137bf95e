// common::HttpServer's connection loop: what httplib's own loop does
// (keep-alive, timeouts, stop, large bodies, addresses) plus what the buffered stream adds
// (pipelined requests kept, 100 Continue sent before the body is read).

#include "common/connection_loop.hpp"

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "common/server_runner.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mock::common;
using Clock = std::chrono::steady_clock;

namespace {

// A blocking TCP connection to 127.0.0.1:port for raw HTTP.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads until `pred(received)` holds, the peer closes, or `timeout` passes.
  template <typename Pred>
  std::string read_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    while (!pred(received_) && Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

// Fails the test unless `c` connected and took all of `bytes`.
void send_raw(RawConnection& c, const std::string& bytes) {
  REQUIRE(c.connected());
  REQUIRE(c.send(bytes));
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

void add_echo_routes(httplib::Server& server) {
  server.Get("/ping", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("pong " + req.get_param_value("n"), "text/plain");
  });
  server.Get("/whoami", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.remote_addr + ":" + std::to_string(req.remote_port) + " " + req.local_addr +
                        ":" + std::to_string(req.local_port),
                    "text/plain");
  });
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/octet-stream");
  });
  server.Delete("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("deleted " + req.body, "text/plain");
  });
  server.Get("/big", [](const httplib::Request& req, httplib::Response& res) {
    const auto size = static_cast<std::size_t>(std::stoul(req.get_param_value("size")));
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + i % 26);
    res.set_content(body, "text/plain");
  });
}

struct Served {
  HttpServer server;
  std::unique_ptr<ServerRunner> runner;

  Served() {
    add_echo_routes(server);
    auto started = ServerRunner::start(server, {"127.0.0.1", 0, "", "", false, 8});
    REQUIRE(started);
    runner = std::move(*started);
  }
  int port() const { return runner->port(); }
};

}  // namespace

TEST_CASE("HttpServer answers several requests on one keep-alive connection",
          "[common][connection_loop]") {
  Served s;
  httplib::Client client("127.0.0.1", s.port());
  client.set_keep_alive(true);
  std::string first_whoami;
  for (int i = 0; i < 5; ++i) {
    auto res = client.Get("/ping?n=" + std::to_string(i));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "pong " + std::to_string(i));
    auto who = client.Get("/whoami");
    REQUIRE(who);
    if (i == 0) first_whoami = who->body;
    CHECK(who->body == first_whoami);  // the same connection: the same client port
  }
  // The addresses reach the handler: ours and the peer's.
  CHECK(first_whoami.starts_with("127.0.0.1:"));
  CHECK(first_whoami.ends_with(" 127.0.0.1:" + std::to_string(s.port())));
}

TEST_CASE("HttpServer keeps pipelined requests that arrive in one segment",
          "[common][connection_loop]") {
  Served s;
  RawConnection c(s.port());
  send_raw(c,
           "GET /ping?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /ping?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /ping?n=3 HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto got = c.read_until([](const std::string& r) { return r.find("pong 3") != r.npos; });
  CHECK(count(got, "HTTP/1.1 200 OK") == 3);
  const auto one = got.find("pong 1");
  const auto two = got.find("pong 2");
  const auto three = got.find("pong 3");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  REQUIRE(three != std::string::npos);
  CHECK((one < two && two < three));
}

TEST_CASE("HttpServer answers a request line it cannot parse with 400, then closes",
          "[common][connection_loop]") {
  Served s;
  RawConnection c(s.port());
  REQUIRE(c.connected());
  // An unknown method: httplib refuses the line without reading the headers after it. They,
  // and the request behind them, must not be parsed as requests of their own.
  REQUIRE(
      c.send("GE\xaa /ping?n=1 HTTP/1.1\r\nHost: x\r\nX-One: 1\r\n\r\n"
             "GET /ping?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto got = c.read_until([](const std::string&) { return false; });
  CHECK(c.closed());
  CHECK(got.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(count(got, "HTTP/1.1 ") == 1);
  CHECK(count(got, "\r\nConnection: close\r\n") == 1);
  CHECK(got.find("Keep-Alive:") == std::string::npos);
  CHECK(got.find("pong") == std::string::npos);
}

TEST_CASE("HttpServer closes after a body that httplib does not read, never parsing it",
          "[common][connection_loop]") {
  Served s;
  const std::string smuggled = "GET /ping?n=2 HTTP/1.1\r\nHost: x\r\n\r\n";
  SECTION("GET with a Content-Length: answered, Connection: close, the body never runs") {
    RawConnection c(s.port());
    send_raw(c, "GET /ping?n=1 HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
    const auto got = c.read_until([](const std::string&) { return false; });
    CHECK(c.closed());
    CHECK(count(got, "HTTP/1.1 200 OK\r\n") == 1);
    CHECK(got.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(got.ends_with("pong 1"));
    CHECK(got.find("pong 2") == std::string::npos);
  }
  SECTION("a multipart body httplib refuses (no boundary): 400, Connection: close") {
    RawConnection c(s.port());
    REQUIRE(c.connected());
    const std::string body = "--XyZ\r\n" + smuggled;
    REQUIRE(c.send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; oundary=XyZ\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body));
    const auto got = c.read_until([](const std::string&) { return false; });
    CHECK(c.closed());
    CHECK(got.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(count(got, "HTTP/1.1 ") == 1);  // the body was not parsed as a request either
    CHECK(got.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(got.find("pong") == std::string::npos);
  }
  SECTION("a Content-Length that is not a number: answered, then closed") {
    RawConnection c(s.port());
    send_raw(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3x\r\n\r\nabc" + smuggled);
    c.read_until([](const std::string&) { return false; });
    CHECK(c.closed());
    CHECK(c.read_until([](const std::string&) { return true; }).find("pong") == std::string::npos);
  }
  SECTION("chunked: read to its end by POST (kept), never by GET (closed)") {
    RawConnection post(s.port());
    send_raw(post,
             "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n0\r\n\r\n" +
                 smuggled);
    const auto kept = post.read_until([](const std::string& r) { return r.ends_with("pong 2"); });
    CHECK(!post.closed());
    CHECK(kept.find("\r\n\r\nhello") != std::string::npos);
    CHECK(kept.ends_with("pong 2"));

    RawConnection get(s.port());
    send_raw(get,
             "GET /ping?n=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n0\r\n\r\n" +
                 smuggled);
    const auto closed = get.read_until([](const std::string&) { return false; });
    CHECK(get.closed());
    CHECK(closed.ends_with("pong 1"));
    CHECK(closed.find("\r\nConnection: close\r\n") != std::string::npos);
  }
  SECTION("DELETE with a body: httplib reads it, the connection stays open") {
    RawConnection c(s.port());
    send_raw(c, "DELETE /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + smuggled);
    const auto got = c.read_until([](const std::string& r) { return r.ends_with("pong 2"); });
    CHECK(!c.closed());
    CHECK(got.find("deleted abc") != std::string::npos);
    CHECK(got.ends_with("pong 2"));
    CHECK(got.find("Connection: close") == std::string::npos);
  }
}

TEST_CASE("HttpServer: a POST with neither Content-Length nor Transfer-Encoding has no body",
          "[common][connection_loop]") {
  // RFC 9112 §6.3. httplib 0.11 read such a body to the end of the connection: the answer
  // came after the 10 s read timeout, a 400.
  Served s;
  for (const std::string method : {"POST", "PUT", "PATCH", "PRI"}) {
    RawConnection c(s.port());
    const auto start = Clock::now();
    send_raw(
        c, method + " /echo HTTP/1.1\r\nHost: x\r\n\r\nGET /ping?n=2 HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto got = c.read_until([](const std::string& r) { return r.ends_with("pong 2"); });
    INFO(method << ": " << got);
    CHECK(Clock::now() - start < std::chrono::seconds(3));
    CHECK(got.starts_with(method == "POST" ? "HTTP/1.1 200 OK" : "HTTP/1.1 40"));
    CHECK(got.ends_with("pong 2"));  // the next request on the connection, parsed as one
    CHECK(!c.closed());
  }
}

TEST_CASE("HttpServer sends 100 Continue before it waits for the body",
          "[common][connection_loop]") {
  Served s;
  RawConnection c(s.port());
  send_raw(c,
           "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  // A client that waits for the interim answer gets it without sending the body first.
  const auto interim =
      c.read_until([](const std::string& r) { return r.find("100 Continue\r\n\r\n") != r.npos; },
                   std::chrono::milliseconds(2000));
  REQUIRE(interim.starts_with("HTTP/1.1 100 Continue\r\n\r\n"));
  REQUIRE(c.send("hello"));
  const auto got = c.read_until([](const std::string& r) { return r.ends_with("hello"); });
  CHECK(got.find("HTTP/1.1 200 OK") != std::string::npos);
  CHECK(got.ends_with("\r\n\r\nhello"));
}

TEST_CASE("HttpServer carries bodies larger than its buffers", "[common][connection_loop]") {
  Served s;
  httplib::Client client("127.0.0.1", s.port());
  client.set_keep_alive(true);
  std::string upload(1024 * 1024 + 7, '\0');
  for (std::size_t i = 0; i < upload.size(); ++i) upload[i] = static_cast<char>(i * 31 % 251);
  auto echoed = client.Post("/echo", upload, "application/octet-stream");
  REQUIRE(echoed);
  CHECK(echoed->status == 200);
  CHECK(echoed->body == upload);
  for (std::size_t size : {0UL, 1UL, 4095UL, 4096UL, 65536UL, 65537UL, 300000UL}) {
    auto res = client.Get("/big?size=" + std::to_string(size));
    REQUIRE(res);
    REQUIRE(res->body.size() == size);
    bool intact = true;
    for (std::size_t i = 0; i < size; ++i)
      intact = intact && res->body[i] == static_cast<char>('a' + i % 26);
    CHECK(intact);
  }
}

TEST_CASE("HttpServer's stop() does not wait for an idle keep-alive connection",
          "[common][connection_loop]") {
  Served s;
  RawConnection c(s.port());
  send_raw(c, "GET /ping?n=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  c.read_until([](const std::string& r) { return r.find("pong 1") != r.npos; });
  const auto started = Clock::now();
  s.runner->stop();  // the keep-alive timeout is 2 s
  CHECK(Clock::now() - started < std::chrono::milliseconds(1000));
  c.read_until([](const std::string&) { return false; }, std::chrono::milliseconds(500));
  CHECK(c.closed());
}

TEST_CASE(
    "HttpServer closes an idle connection after the keep-alive timeout and a stalled "
    "request after the read timeout",
    "[common][connection_loop]") {
  HttpServer server;
  add_echo_routes(server);
  server.set_keep_alive_timeout(1);
  server.set_read_timeout(1);
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  RawConnection idle(port);
  RawConnection stalled(port);
  REQUIRE(idle.connected());
  send_raw(stalled, "GET /ping HTTP/1.1\r\nHo");  // half a request, then nothing
  const auto started = Clock::now();
  idle.read_until([](const std::string&) { return false; }, std::chrono::milliseconds(4000));
  stalled.read_until([](const std::string&) { return false; }, std::chrono::milliseconds(4000));
  CHECK(idle.closed());
  CHECK(stalled.closed());
  CHECK(Clock::now() - started < std::chrono::milliseconds(3500));
  server.stop();
  serving.join();
}
