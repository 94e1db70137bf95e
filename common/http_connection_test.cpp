// common::HttpConnection against the mocks' own server (keep-alive, large bodies both ways,
// chunked replies) and against a scripted TCP peer for what a server may send: split heads,
// 1xx heads, chunk extensions and trailers, bodies to the end of the connection,
// `Connection: close`, HTTP/1.0, broken framing, silence and a peer gone.

#include "common/http_connection.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "common/connection_loop.hpp"
#include "common/server_runner.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mock::common;
using Clock = std::chrono::steady_clock;
using Error = HttpConnection::Error;
using namespace std::chrono_literals;

namespace {

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// A TCP peer on 127.0.0.1 that reads one request at a time (head + Content-Length body) and
// answers it with the next reply of its script, piece by piece with a pause between pieces
// (so that a head or a chunk arrives split). A reply with `close_after` closes the connection
// after it. With the script used up, it keeps the connection open and silent. One connection
// at a time, as the client under test makes.
class ScriptedPeer {
 public:
  struct Reply {
    std::vector<std::string> pieces;
    bool close_after = false;
  };

  explicit ScriptedPeer(std::vector<Reply> script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 8);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedPeer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int accepted() const { return accepted_; }

 private:
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10) > 0) return true;
    }
    return false;
  }

  void serve() {
    std::size_t next = 0;
    while (wait_readable(listen_fd_)) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepted_;
      std::string in;
      bool open = true;
      while (open && wait_readable(fd)) {
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        for (;;) {  // every whole request received so far
          const std::size_t head = in.find("\r\n\r\n");
          if (head == std::string::npos) break;
          std::size_t length = 0;
          if (const auto at = in.find("Content-Length: "); at != std::string::npos && at < head) {
            length = std::stoul(in.substr(at + 16));
          }
          if (in.size() < head + 4 + length) break;
          {
            std::lock_guard lock(mutex_);
            requests_.push_back(in.substr(0, head + 4 + length));
          }
          in.erase(0, head + 4 + length);
          if (next >= script_.size()) continue;  // silent
          const Reply& reply = script_[next++];
          for (std::size_t i = 0; i < reply.pieces.size(); ++i) {
            if (i > 0) std::this_thread::sleep_for(2ms);
            ::send(fd, reply.pieces[i].data(), reply.pieces[i].size(), MSG_NOSIGNAL);
          }
          if (reply.close_after) {
            open = false;
            break;
          }
        }
      }
      ::close(fd);
    }
  }

  std::vector<Reply> script_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<std::string> requests_;  // guarded by mutex_
  std::thread thread_;
};

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i * 31 % 251);
  return s;
}

struct Served {
  HttpServer server;
  std::unique_ptr<ServerRunner> runner;
  Served() {
    server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "application/octet-stream");
    });
    server.Post("/chunked", [](const httplib::Request& req, httplib::Response& res) {
      const std::string body = req.body;
      res.set_chunked_content_provider("text/plain", [body](std::size_t, httplib::DataSink& sink) {
        for (std::size_t at = 0; at < body.size(); at += 1000) {
          sink.write(body.data() + at, std::min<std::size_t>(1000, body.size() - at));
        }
        sink.done();
        return true;
      });
    });
    server.Post("/empty",
                [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    auto started = ServerRunner::start(server, {"127.0.0.1", 0, "", "", false, 4});
    REQUIRE(started);
    runner = std::move(*started);
  }
};

}  // namespace

TEST_CASE("HttpConnection: keep-alive exchanges with the mocks' server, bodies of any size",
          "[common][http_connection]") {
  Served s;
  HttpConnection c("127.0.0.1", s.runner->port(), 2000ms);
  CHECK(c.host_header() == "127.0.0.1:" + std::to_string(s.runner->port()));
  HttpConnection::Response res;
  for (std::size_t size : {0UL, 1UL, 4095UL, 4096UL, 4097UL, 65537UL, 1024UL * 1024 + 7}) {
    const std::string body = pattern(size);
    REQUIRE(c.exchange(post("/echo", body), res) == Error::kNone);
    CHECK(res.status == 200);
    CHECK(res.body == body);
    REQUIRE(c.exchange(post("/chunked", body), res) == Error::kNone);
    CHECK(res.status == 200);
    CHECK(res.body == body);
  }
  REQUIRE(c.exchange(post("/empty", "x"), res) == Error::kNone);
  CHECK(res.status == 204);
  CHECK(res.body.empty());
  REQUIRE(c.exchange(post("/nowhere", ""), res) == Error::kNone);
  CHECK(res.status == 404);
  CHECK(c.connections_opened() == 1);  // every exchange on one connection
}

TEST_CASE("HttpConnection: split heads, 1xx heads, chunk extensions and trailers",
          "[common][http_connection]") {
  ScriptedPeer peer({
      {{"HTTP/1.1 20", "1 Created\r\nContent-Le", "ngth: 5\r\n", "\r", "\nhel", "lo"}},
      {{"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 102 Processing\r\nX: y\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"}},
      {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 999\r\n\r\n",
        "3;name=value\r\nabc\r\n", "A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n", "\r\n"}},
      {{"HTTP/1.1 200 OK\r\nTRANSFER-ENCODING:  chunked \r\n\r\n0\r\n\r\n"}},
      {{"HTTP/1.1 204 No Content\r\n\r\n"}},  // no length, and no body to wait for
      {{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"}},
  });
  HttpConnection c("127.0.0.1", peer.port(), 2000ms);
  HttpConnection::Response res;
  REQUIRE(c.exchange(post("/a", "body-a"), res) == Error::kNone);
  CHECK(res.status == 201);
  CHECK(res.body == "hello");
  REQUIRE(c.exchange(post("/b", ""), res) == Error::kNone);
  CHECK(res.status == 200);
  CHECK(res.body == "ok");
  REQUIRE(c.exchange(post("/c", ""), res) == Error::kNone);
  CHECK(res.body == "abc0123456789");  // chunked wins over Content-Length
  REQUIRE(c.exchange(post("/d", ""), res) == Error::kNone);
  CHECK(res.body.empty());
  REQUIRE(c.exchange(post("/e", ""), res) == Error::kNone);
  CHECK(res.status == 204);
  REQUIRE(c.exchange(post("/f", ""), res) == Error::kNone);
  CHECK(res.body == "z");
  CHECK(c.connections_opened() == 1);
  CHECK(peer.accepted() == 1);
  const auto requests = peer.requests();
  REQUIRE(requests.size() == 6);
  CHECK(requests[0] == post("/a", "body-a"));  // sent as given
}

TEST_CASE("HttpConnection: a connection is reused only when the response allows it",
          "[common][http_connection]") {
  ScriptedPeer peer({
      {{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n1"}, true},
      {{"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n2"}, true},
      {{"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\n3"}},
      {{"HTTP/1.1 200 OK\r\n\r\nto the ", "end"}, true},  // no length: read to the end
      {{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n5HTTP/1.1 200 OK\r\n"}},  // bytes after it
      {{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n6"}},
  });
  HttpConnection c("127.0.0.1", peer.port(), 2000ms);
  HttpConnection::Response res;
  const std::vector<std::pair<std::string, bool>> expected = {
      {"1", false}, {"2", false}, {"3", true}, {"to the end", false}, {"5", false}, {"6", true}};
  for (const auto& [body, open] : expected) {
    REQUIRE(c.exchange(post("/", ""), res) == Error::kNone);
    CHECK(res.body == body);
    CHECK(c.is_open() == open);
  }
  CHECK(c.connections_opened() == 5);
}

TEST_CASE("HttpConnection: broken framing is an error, and the next exchange starts afresh",
          "[common][http_connection]") {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  struct Case {
    std::string reply;
    Error error;
  };
  const std::vector<Case> cases = {
      {"SSH-2.0-OpenSSH\r\n\r\n", Error::kBadResponse},
      {"HTTP/2 200\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 2x0 OK\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", Error::kBadResponse},
      {"HTTP/1.1 101 Switching Protocols\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", Error::kBadResponse},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", Error::kRead},  // then closed
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", Error::kRead},
      {"", Error::kRead},  // closed without a byte
  };
  for (const auto& test : cases) {
    CAPTURE(test.reply.substr(0, 60));
    ScriptedPeer peer({{{test.reply}, true}, {{ok}}});
    HttpConnection c("127.0.0.1", peer.port(), 2000ms);
    HttpConnection::Response res;
    CHECK(c.exchange(post("/", ""), res) == test.error);
    CHECK_FALSE(c.is_open());
    REQUIRE(c.exchange(post("/", ""), res) == Error::kNone);
    CHECK(res.body == "ok");
    CHECK(c.connections_opened() == 2);
  }
}

TEST_CASE("HttpConnection: a pooled connection the peer closed is replaced before sending",
          "[common][http_connection]") {
  ScriptedPeer peer({
      {{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"}, true},  // keep-alive, then closed
      {{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"}},
  });
  HttpConnection c("127.0.0.1", peer.port(), 2000ms);
  HttpConnection::Response res;
  REQUIRE(c.exchange(post("/", ""), res) == Error::kNone);
  CHECK(c.is_open());                 // the response did not say close
  std::this_thread::sleep_for(50ms);  // the peer's FIN arrives
  REQUIRE(c.exchange(post("/", ""), res) == Error::kNone);
  CHECK(res.body == "b");
  CHECK(c.connections_opened() == 2);
  CHECK(peer.requests().size() == 2);  // no request was lost on the closed connection
}

TEST_CASE("HttpConnection: silence is a read timeout, nobody listening a connect error",
          "[common][http_connection]") {
  int gone = 0;
  {
    ScriptedPeer silent({});
    gone = silent.port();
    HttpConnection c("127.0.0.1", silent.port(), 200ms);
    HttpConnection::Response res;
    const auto started = Clock::now();
    CHECK(c.exchange(post("/", ""), res) == Error::kReadTimeout);
    const auto took = Clock::now() - started;
    CHECK(took >= 150ms);
    CHECK(took < 1500ms);
    CHECK_FALSE(c.is_open());
  }
  HttpConnection refused("127.0.0.1", gone, 200ms);
  HttpConnection::Response res;
  CHECK(refused.exchange(post("/", ""), res) == Error::kConnect);
  CHECK(HttpConnection("twilio.test", 80, 200ms).host_header() == "twilio.test");
  CHECK(HttpConnection("::1", 8082, 200ms).host_header() == "[::1]:8082");
  CHECK(to_string(Error::kConnect) == "Connection");  // httplib's words
  CHECK(to_string(Error::kReadTimeout) == "Read");
}
