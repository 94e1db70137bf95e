#include "common/connection_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mock::common {
namespace {

constexpr std::size_t kServerReadBuffer = 16 * 1024;  // per connection
constexpr std::size_t kClientReadBuffer = 4 * 1024;   // per request
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
  // `timeouts` sets SO_RCVTIMEO and SO_SNDTIMEO on the socket (the server, once per
  // connection); a client's sockets have them from their socket options.
  ConnectionStream(socket_t sock, std::size_t read_buffer, timeval read_timeout,
                   timeval write_timeout, bool set_timeouts)
      : sock_(sock),
        write_timeout_ms_(
            static_cast<int>(write_timeout.tv_sec * 1000 + write_timeout.tv_usec / 1000)),
        in_(new char[read_buffer]),
        in_size_(read_buffer) {
    if (set_timeouts) {
      setsockopt(sock_, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof(read_timeout));
      setsockopt(sock_, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof(write_timeout));
    }
  }

  bool is_readable() const override { return in_pos_ < in_end_ || wait(POLLIN, 0); }
  bool is_writable() const override { return wait(POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (in_pos_ == in_end_) {
      if (!flush()) return -1;  // the peer may wait for what we wrote (100 Continue)
      if (size >= in_size_) return receive(ptr, size);
      const ssize_t n = receive(in_.get(), in_size_);
      if (n <= 0) return n;
      in_pos_ = 0;
      in_end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, in_end_ - in_pos_);
    std::memcpy(ptr, in_.get() + in_pos_, n);
    in_pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
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

  // Sends what the handlers wrote. False once a send has failed.
  bool flush() {
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
      const int r = ::poll(&p, 1, kIdleSliceMs);
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
      const int r = ::poll(&p, 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      return r > 0 && (p.revents & (POLLERR | POLLNVAL)) == 0;
    }
  }

  ssize_t receive(char* ptr, size_t size) {
    for (;;) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;  // -1 also when SO_RCVTIMEO expired
    }
  }

  bool send_all(const char* ptr, size_t size) {
    while (size > 0) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
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
  mutable Address remote_;
  mutable Address local_;
};

}  // namespace

bool HttpServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    ConnectionStream strm(sock, kServerReadBuffer,
                          to_timeval(read_timeout_sec_, read_timeout_usec_),
                          to_timeval(write_timeout_sec_, write_timeout_usec_), true);
    auto stopped = [this] { return svr_sock_ == INVALID_SOCKET; };
    for (std::size_t left = keep_alive_max_count_;
         left > 0 && !stopped() && strm.wait_request(keep_alive_timeout_sec_, stopped); --left) {
      bool connection_closed = false;
      ret = process_request(strm, left == 1, connection_closed, nullptr);
      if (!strm.flush()) ret = false;
      if (!ret || connection_closed) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

HttpClient::HttpClient(const std::string& host, int port) : httplib::ClientImpl(host, port) {
  // Called for each new socket, after TCP_NODELAY: the read and write timeouts as socket
  // options, so that a read blocks in recv() with no poll() before it.
  set_socket_options([this](socket_t sock) {
    const timeval read_timeout = to_timeval(read_timeout_sec_, read_timeout_usec_);
    const timeval write_timeout = to_timeval(write_timeout_sec_, write_timeout_usec_);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof(read_timeout));
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof(write_timeout));
  });
}

bool HttpClient::process_socket(const Socket& socket,
                                std::function<bool(httplib::Stream& strm)> callback) {
  ConnectionStream strm(socket.sock, kClientReadBuffer,
                        to_timeval(read_timeout_sec_, read_timeout_usec_),
                        to_timeval(write_timeout_sec_, write_timeout_usec_), false);
  // The request is sent at the first read (the response line), or here if none came.
  const bool ok = callback(strm);
  return strm.flush() && ok;
}

}  // namespace mock::common
