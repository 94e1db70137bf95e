#include "common/http_connection.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mock::common {
namespace {

constexpr std::size_t kReadChunk = 4 * 1024;           // a Twilio reply is ~1 KiB
constexpr std::size_t kMaxLine = 8 * 1024;             // status line, header, chunk size line
constexpr std::size_t kMaxHeaders = 100;               // per head (httplib: 100)
constexpr std::size_t kMaxBody = 64ULL * 1024 * 1024;  // a reply bigger than this is refused

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(ms.count() % 1000 * 1000);
  return tv;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the comma-separated list `value` has `token` (case-insensitive, spaces trimmed).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// A whole string of digits in `base` (no sign, no space) as a size.
bool parse_size(std::string_view text, int base, std::size_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// "HTTP/1.x NNN reason": the status and whether it is HTTP/1.0.
bool parse_status_line(std::string_view line, int& status, bool& http10) {
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') return false;
  if (line[7] != '0' && line[7] != '1') return false;
  http10 = line[7] == '0';
  if (line.size() > 12 && line[12] != ' ') return false;
  int value = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    value = value * 10 + (line[i] - '0');
  }
  if (value < 100) return false;
  status = value;
  return true;
}

}  // namespace

std::string_view to_string(HttpConnection::Error error) {
  switch (error) {
    case HttpConnection::Error::kNone:
      return "Success";
    case HttpConnection::Error::kConnect:
      return "Connection";
    case HttpConnection::Error::kConnectTimeout:
      return "ConnectionTimeout";
    case HttpConnection::Error::kWrite:
      return "Write";
    case HttpConnection::Error::kRead:
    case HttpConnection::Error::kReadTimeout:
    case HttpConnection::Error::kBadResponse:
      return "Read";
  }
  return "Unknown";
}

HttpConnection::HttpConnection(std::string host, int port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {
  host_header_ = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  if (port_ != 80) host_header_ += ":" + std::to_string(port_);
}

HttpConnection::~HttpConnection() { close(); }

void HttpConnection::close() {
  if (fd_ < 0) return;
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
}

HttpConnection::Error HttpConnection::connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port_);
  if (::getaddrinfo(host_.c_str(), service.c_str(), &hints, &found) != 0) return Error::kConnect;
  Error error = Error::kConnect;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      do {
        rc = ::poll(&p, 1, static_cast<int>(timeout_.count()));
      } while (rc < 0 && errno == EINTR);
      int so_error = 0;
      socklen_t len = sizeof(so_error);
      if (rc == 0) {
        error = Error::kConnectTimeout;
        rc = -1;
      } else if (rc > 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 &&
                 so_error == 0) {
        rc = 0;
      } else {
        rc = -1;
      }
    }
    if (rc != 0) {
      ::close(fd);
      continue;
    }
    // Blocking again: reads and writes wait in recv()/send() under these timeouts.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const timeval tv = to_timeval(timeout_);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    fd_ = fd;
    ++opened_;
    error = Error::kNone;
    break;
  }
  ::freeaddrinfo(found);
  return error;
}

bool HttpConnection::peer_closed_or_sent() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;  // readable (an end, a reset, stray bytes) or failed
}

HttpConnection::Error HttpConnection::exchange(std::string_view request, Response& out) {
  out = Response{};
  if (fd_ >= 0 && peer_closed_or_sent()) close();
  if (fd_ < 0) {
    if (const Error e = connect(); e != Error::kNone) return e;
  }
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close();
      return Error::kWrite;
    }
    sent += static_cast<std::size_t>(n);
  }
  in_.clear();
  pos_ = 0;
  bool keep_alive = true;
  const Error e = read_response(out, keep_alive);
  // Anything after the response (a second response, stray bytes) leaves the connection in an
  // unknown state: it is not reused.
  if (e != Error::kNone || !keep_alive || pos_ != in_.size()) close();
  return e;
}

HttpConnection::Error HttpConnection::fill(bool& eof) {
  eof = false;
  if (in_.size() - pos_ > kMaxBody + kReadChunk) return Error::kBadResponse;
  if (pos_ > 0 && pos_ == in_.size()) {
    in_.clear();
    pos_ = 0;
  }
  const std::size_t old = in_.size();
  in_.resize(old + kReadChunk);
  ssize_t n = 0;
  do {
    n = ::recv(fd_, in_.data() + old, kReadChunk, 0);
  } while (n < 0 && errno == EINTR);
  in_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  if (n > 0) return Error::kNone;
  if (n == 0) {
    eof = true;
    return Error::kRead;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK ? Error::kReadTimeout : Error::kRead;
}

HttpConnection::Error HttpConnection::need(std::size_t n) {
  while (in_.size() - pos_ < n) {
    bool eof = false;
    if (const Error e = fill(eof); e != Error::kNone) return e;
  }
  return Error::kNone;
}

HttpConnection::Error HttpConnection::next_line(std::string_view& line) {
  std::size_t scanned = 0;  // from pos_ (fill() may move what is unread to the front)
  for (;;) {
    const std::size_t crlf = in_.find("\r\n", pos_ + scanned);
    if (crlf != std::string::npos) {
      if (crlf - pos_ > kMaxLine) return Error::kBadResponse;
      line = std::string_view(in_).substr(pos_, crlf - pos_);
      pos_ = crlf + 2;
      return Error::kNone;
    }
    const std::size_t unread = in_.size() - pos_;
    if (unread > kMaxLine) return Error::kBadResponse;
    scanned = unread > 0 ? unread - 1 : 0;  // a CR may end what we have
    bool eof = false;
    if (const Error e = fill(eof); e != Error::kNone) return e;
  }
}

HttpConnection::Error HttpConnection::read_response(Response& out, bool& keep_alive) {
  bool http10 = false;
  bool chunked = false;
  bool has_length = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  std::size_t length = 0;
  for (;;) {  // heads until a final (non-1xx) one
    std::string_view line;
    if (const Error e = next_line(line); e != Error::kNone) return e;
    if (!parse_status_line(line, out.status, http10)) return Error::kBadResponse;
    chunked = false;
    connection_close = connection_keep_alive = false;
    has_length = false;
    for (std::size_t headers = 0;; ++headers) {
      if (headers > kMaxHeaders) return Error::kBadResponse;
      if (const Error e = next_line(line); e != Error::kNone) return e;
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return Error::kBadResponse;
      const std::string_view name = line.substr(0, colon);
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals(name, "content-length")) {
        std::size_t n = 0;
        if (!parse_size(value, 10, n) || (has_length && n != length) || n > kMaxBody) {
          return Error::kBadResponse;
        }
        has_length = true;
        length = n;
      } else if (iequals(name, "transfer-encoding")) {
        // Only chunked alone: any other coding (gzip, ...) is one this client cannot undo.
        if (!iequals(value, "chunked")) return Error::kBadResponse;
        chunked = true;
      } else if (iequals(name, "connection")) {
        connection_close = connection_close || has_token(value, "close");
        connection_keep_alive = connection_keep_alive || has_token(value, "keep-alive");
      }
    }
    if (out.status >= 200) break;
    if (out.status == 101) return Error::kBadResponse;  // no protocol switch was asked for
  }
  keep_alive = !connection_close && (!http10 || connection_keep_alive);
  if (out.status == 204 || out.status == 304) return Error::kNone;
  if (chunked) {
    for (;;) {
      std::string_view line;
      if (const Error e = next_line(line); e != Error::kNone) return e;
      std::size_t size = 0;
      if (!parse_size(trim(line.substr(0, line.find(';'))), 16, size) ||  // extensions dropped
          size > kMaxBody - out.body.size()) {
        return Error::kBadResponse;
      }
      if (size == 0) break;
      if (const Error e = need(size + 2); e != Error::kNone) return e;
      if (in_.compare(pos_ + size, 2, "\r\n") != 0) return Error::kBadResponse;
      out.body.append(in_, pos_, size);
      pos_ += size + 2;
    }
    for (;;) {  // trailers, up to the empty line
      std::string_view line;
      if (const Error e = next_line(line); e != Error::kNone) return e;
      if (line.empty()) return Error::kNone;
    }
  }
  if (has_length) {
    if (const Error e = need(length); e != Error::kNone) return e;
    out.body.assign(in_, pos_, length);
    pos_ += length;
    return Error::kNone;
  }
  // No length: the body is everything up to the end of the connection.
  keep_alive = false;
  for (;;) {
    bool eof = false;
    const Error e = fill(eof);
    if (eof) break;
    if (e != Error::kNone) return e;
  }
  out.body.assign(in_, pos_, in_.size() - pos_);
  pos_ = in_.size();
  return Error::kNone;
}

}  // namespace mock::common
