#include "common/connection_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/http_headers.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define MOCK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MOCK_TSAN 1
#endif
#endif
#ifndef MOCK_TSAN
#define MOCK_TSAN 0
#endif

namespace mock::common {
namespace {

// The socket calls of this file. In TSan builds they are made as raw system calls, which TSan
// does not see: the sockets are accepted inside libcpp-httplib.so, where TSan's interceptors are
// off (tests/tsan.supp), so TSan's record of each fd number is that of an earlier life (a file
// another thread read or closed) and any access it saw here would "race" with it. Invisible, as
// they were inside httplib's own loop. The loop's memory accesses stay instrumented.
#if MOCK_TSAN
ssize_t sys_recv(int fd, void* buf, size_t n) {
  return ::syscall(SYS_recvfrom, fd, buf, n, 0, nullptr, nullptr);
}
ssize_t sys_send(int fd, const void* buf, size_t n) {
  return ::syscall(SYS_sendto, fd, buf, n, MSG_NOSIGNAL, nullptr, 0);
}
int sys_poll(pollfd* p, int timeout_ms) {
  return static_cast<int>(::syscall(SYS_poll, p, 1, timeout_ms));
}
void sys_close(int fd) {
  ::syscall(SYS_shutdown, fd, SHUT_RDWR);
  ::syscall(SYS_close, fd);
}
#else
ssize_t sys_recv(int fd, void* buf, size_t n) { return ::recv(fd, buf, n, 0); }
ssize_t sys_send(int fd, const void* buf, size_t n) { return ::send(fd, buf, n, MSG_NOSIGNAL); }
int sys_poll(pollfd* p, int timeout_ms) { return ::poll(p, 1, timeout_ms); }
void sys_close(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}
#endif

constexpr std::size_t kReadBuffer = 16 * 1024;  // per connection
constexpr std::size_t kWriteFlushAt = 64 * 1024;
constexpr int kIdleSliceMs = 10;  // how often an idle connection looks at stop()

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  }
  ip = text;
}

timeval to_timeval(time_t sec, time_t usec) {
  timeval tv{};
  tv.tv_sec = sec;
  tv.tv_usec = static_cast<suseconds_t>(usec);
  return tv;
}

struct Address {
  bool known = false;
  std::string ip;
  int port = 0;

  template <typename Query>
  void lookup(socket_t sock, Query query) {
    known = true;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (query(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  }
};

class ConnectionStream final : public httplib::Stream {
 public:
  // Sets the read and write timeouts as SO_RCVTIMEO and SO_SNDTIMEO, once per connection.
  ConnectionStream(socket_t sock, timeval read_timeout, timeval write_timeout)
      : sock_(sock),
        write_timeout_ms_(
            static_cast<int>(write_timeout.tv_sec * 1000 + write_timeout.tv_usec / 1000)),
        in_(new char[kReadBuffer]),
        in_size_(kReadBuffer) {
    setsockopt(sock_, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof(read_timeout));
    setsockopt(sock_, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof(write_timeout));
  }

  bool is_readable() const override { return in_pos_ < in_end_ || wait(POLLIN, 0); }
  bool is_writable() const override { return wait(POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    // httplib reads the request line and headers one byte per call (stream_line_reader): a
    // buffered byte is handed out without the general path's memcpy call (~4-5k instructions a
    // request; bench/README.md, "Session 10").
    if (size == 1 && in_pos_ < in_end_) {
      *ptr = in_[in_pos_++];
      return count(1);
    }
    if (in_pos_ == in_end_) {
      if (!flush()) return -1;  // the peer may wait for what we wrote (100 Continue)
      if (size >= in_size_) return count(receive(ptr, size));
      const ssize_t n = receive(in_.get(), in_size_);
      if (n <= 0) return n;
      in_pos_ = 0;
      in_end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, in_end_ - in_pos_);
    std::memcpy(ptr, in_.get() + in_pos_, n);
    in_pos_ += n;
    return count(static_cast<ssize_t>(n));
  }

  // Bytes read() has handed out so far.
  std::uint64_t consumed() const { return consumed_; }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    // httplib writes a final answer's status line and headers in one write(): remember that
    // they are still in the buffer, so that close_after_answer() can mark them.
    if (out_.empty() && std::string_view(ptr, size).starts_with("HTTP/1.1 ") &&
        !std::string_view(ptr, size).starts_with("HTTP/1.1 1")) {
      head_buffered_ = true;
    }
    if (out_.size() + size > kWriteFlushAt) {
      if (!flush()) return -1;
      if (size >= kWriteFlushAt) return send_all(ptr, size) ? static_cast<ssize_t>(size) : -1;
    }
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }

  // Looked up once per stream (httplib's server asks on every request).
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (!remote_.known) remote_.lookup(sock_, getpeername);
    ip = remote_.ip;
    port = remote_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!local_.known) local_.lookup(sock_, getsockname);
    ip = local_.ip;
    port = local_.port;
  }
  socket_t socket() const override { return sock_; }

  // Marks the buffered answer "Connection: close" (in place of httplib's Keep-Alive header)
  // when its head has not been sent yet; the caller closes the connection after it.
  void close_after_answer() {
    if (!head_buffered_) return;
    const std::size_t end = out_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string_view head(out_.data(), end + 2);  // each header line ends with CRLF
    if (head.find("\r\nConnection: close\r\n") != std::string_view::npos) return;
    const std::size_t keep_alive = head.find("\r\nKeep-Alive: ");
    if (keep_alive != std::string_view::npos) {
      const std::size_t line_end = head.find("\r\n", keep_alive + 2);
      out_.erase(keep_alive + 2, line_end - keep_alive);
    }
    out_.insert(out_.find("\r\n") + 2, "Connection: close\r\n");
  }

  // The status code of the buffered answer, or 0 once its head has been sent.
  int buffered_status() const {
    if (!head_buffered_ || out_.size() < 12) return 0;
    int status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
      if (out_[i] < '0' || out_[i] > '9') return 0;
      status = status * 10 + (out_[i] - '0');
    }
    return status;
  }

  // Sends what the handlers wrote. False once a send has failed.
  bool flush() {
    head_buffered_ = false;
    if (failed_) return false;
    if (out_.empty()) return true;
    const bool ok = send_all(out_.data(), out_.size());
    out_.clear();
    return ok;
  }

  // Waits for the next request: true when bytes are buffered or arrive within `timeout_sec`;
  // false on timeout, or once `stopped()` says the server is shutting down.
  template <typename Stopped>
  bool wait_request(time_t timeout_sec, Stopped stopped) const {
    if (in_pos_ < in_end_) return true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_sec);
    while (!stopped()) {
      pollfd p{sock_, POLLIN, 0};
      const int r = sys_poll(&p, kIdleSliceMs);
      if (r > 0) return true;  // data, or a hang-up that the next read reports
      if (r < 0 && errno != EINTR) return false;
      if (std::chrono::steady_clock::now() >= deadline) return false;
    }
    return false;
  }

 private:
  bool wait(short events, int timeout_ms) const {
    pollfd p{sock_, events, 0};
    for (;;) {
      const int r = sys_poll(&p, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      return r > 0 && (p.revents & (POLLERR | POLLNVAL)) == 0;
    }
  }

  ssize_t count(ssize_t n) {
    if (n > 0) consumed_ += static_cast<std::uint64_t>(n);
    return n;
  }

  ssize_t receive(char* ptr, size_t size) {
    for (;;) {
      const ssize_t n = sys_recv(sock_, ptr, size);
      if (n < 0 && errno == EINTR) continue;
      return n;  // -1 also when SO_RCVTIMEO expired
    }
  }

  bool send_all(const char* ptr, size_t size) {
    while (size > 0) {
      const ssize_t n = sys_send(sock_, ptr, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // error, or SO_SNDTIMEO expired
        failed_ = true;
        return false;
      }
      ptr += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  socket_t sock_;
  int write_timeout_ms_;
  std::unique_ptr<char[]> in_;
  std::size_t in_size_;
  std::size_t in_pos_ = 0;
  std::size_t in_end_ = 0;
  std::string out_;
  bool failed_ = false;
  bool head_buffered_ = false;
  std::uint64_t consumed_ = 0;
  mutable Address remote_;
  mutable Address local_;
};

// Where a request's body ends, as its headers declare it, and whether httplib got there: the
// next request of a keep-alive connection starts right after it, or nobody knows where.
struct Framing {
  bool parsed = false;           // httplib parsed the request line and headers (setup_request ran)
  std::uint64_t body_start = 0;  // the stream's consumed() when the headers were parsed
  std::uint64_t length = 0;      // Content-Length; 0 when absent
  bool bad_length = false;
  bool chunked = false;       // Transfer-Encoding
  bool body_is_read = false;  // a method httplib 0.11 reads a body for (expect_content)

  void parsed_headers(httplib::Request& req, std::uint64_t consumed) {
    parsed = true;
    body_start = consumed;
    const std::string* length_header = find_header(req.headers, "Content-Length");
    const bool has_length = length_header != nullptr;
    const std::string text(header_text(length_header));  // as httplib reads it
    bad_length = has_length && (text.empty() || text.size() > 18 ||
                                text.find_first_not_of("0123456789") != std::string::npos);
    length = bad_length || !has_length ? 0 : std::stoull(text);
    chunked = find_header(req.headers, "Transfer-Encoding") != nullptr;
    const std::string& m = req.method;
    body_is_read = m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "PRI";
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112
    // §6.3). httplib 0.11 read one of POST, PUT, PATCH or PRI to the end of the connection:
    // `curl -X POST .../_mock/reset` waited for the 10 s read timeout, then got 400
    // (fuzz/corpus/twilio_http/slow-pri-without-length). Say so in the header it reads.
    if (body_is_read && !has_length && !chunked) req.headers.emplace("Content-Length", "0");
  }

  // After the answer: true when the stream stands where the next request starts.
  bool kept(std::uint64_t consumed, int status) const {
    if (!parsed || bad_length) return false;  // httplib's 400 or 414: the rest is unknown
    // A chunked body is read to its end only by a method that reads bodies, and then only an
    // answer below 400 says it was (0: a large answer, already on its way).
    if (chunked) return body_is_read && status < 400;
    return consumed - body_start >= length;  // a body left unread (a GET's, or a refused one)
  }
};

}  // namespace

bool HttpServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    ConnectionStream strm(sock, to_timeval(read_timeout_sec_, read_timeout_usec_),
                          to_timeval(write_timeout_sec_, write_timeout_usec_));
    auto stopped = [this] { return svr_sock_ == INVALID_SOCKET; };
    Framing framing;
    // httplib calls this once the request line and headers are parsed, before routing.
    const std::function<void(httplib::Request&)> parsed_hook = [&](httplib::Request& req) {
      framing.parsed_headers(req, strm.consumed());
    };
    for (std::size_t left = keep_alive_max_count_;
         left > 0 && !stopped() && strm.wait_request(keep_alive_timeout_sec_, stopped); --left) {
      bool connection_closed = false;
      framing = Framing{};
      ret = process_request(strm, left == 1, connection_closed, parsed_hook);
      // Where the next request would start is unknown after a request line or header block
      // httplib refused (its 400 or 414), or after a body it did not read to its end (a GET's
      // body, a multipart body it refused): answer "Connection: close", then close. The bytes
      // left are never parsed as a request (httplib's own loop dropped whatever its
      // per-request 4 KiB buffer held and parsed the rest).
      const bool lost_framing = !framing.kept(strm.consumed(), strm.buffered_status());
      if (lost_framing) strm.close_after_answer();
      if (!strm.flush()) ret = false;
      if (!ret || connection_closed || lost_framing) break;
    }
  }
  sys_close(sock);
  return ret;
}

}  // namespace mock::common
