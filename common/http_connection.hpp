#pragma once
// One keep-alive HTTP/1.1 client connection over plain TCP, for a caller that writes its own
// requests: the request goes out as one buffer in one send(), the response is read through a
// per-connection buffer with recv() under SO_RCVTIMEO (no poll() before a read), and only what
// a client needs of the response head is looked at (status, Content-Length, Transfer-Encoding,
// Connection). mock_truevault's Twilio client uses it for http:// URLs: httplib's client cost
// ~57k of mock_truevault's ~335k instructions per SMS in the guide's flow, most of it building
// and searching case-insensitive header maps (bench/README.md).
//
// Responses: 1xx heads are skipped; the body is framed by chunked transfer coding (trailers
// read and dropped), else Content-Length, else the end of the connection; 204 and 304 have
// none. The connection stays open for the next exchange unless the response said
// `Connection: close`, was HTTP/1.0 without `Connection: keep-alive`, was read to the end of
// the connection, or anything at all followed it. A connection the peer has closed meanwhile
// (or that has unread bytes) is noticed before the next request is sent and replaced by a new
// one; a request that then fails is not retried (a POST may not be repeatable).
//
// Not for HEAD requests (a HEAD response's Content-Length describes a body that never comes).
// Not safe for concurrent use: one exchange at a time, as with any httplib client.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace mock::common {

class HttpConnection {
 public:
  enum class Error {
    kNone,
    kConnect,         // no address, refused, unreachable
    kConnectTimeout,  // no connection within the timeout
    kWrite,           // the request could not be sent whole
    kRead,            // the connection failed or ended before the response did
    kReadTimeout,     // no byte of the response for the timeout
    kBadResponse,     // not an HTTP/1.x response, or framing that cannot be read
  };
  struct Response {
    int status = 0;
    std::string body;
  };

  // `host` without brackets (an IPv6 address as it is); `timeout` bounds the connect and each
  // read and write.
  HttpConnection(std::string host, int port, std::chrono::milliseconds timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // The Host header's value for this peer: host[:port] (no port for 80), IPv6 in brackets.
  const std::string& host_header() const { return host_header_; }

  // Sends `request` (request line, headers and body as they go on the wire) and reads one
  // response into `out`. Opens a connection first when none is open. On an error the
  // connection is closed (the next exchange opens another).
  Error exchange(std::string_view request, Response& out);

  bool is_open() const { return fd_ >= 0; }
  // Connections opened so far (tests pin the reuse).
  std::size_t connections_opened() const { return opened_; }

 private:
  Error connect();
  void close();
  bool peer_closed_or_sent() const;
  Error read_response(Response& out, bool& keep_alive);
  // recv() once more into in_; kNone, or why not (`eof` set on an orderly end).
  Error fill(bool& eof);
  // Makes in_[pos_, pos_ + n) available; kRead at the end of the connection.
  Error need(std::size_t n);
  // The line at pos_ without its CRLF (reading more as needed; at most kMaxLine bytes), and
  // pos_ past it. `line` points into in_: valid until the next read.
  Error next_line(std::string_view& line);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  std::string host_header_;
  int fd_ = -1;
  std::size_t opened_ = 0;
  std::string in_;       // received bytes; in_[pos_..] not yet consumed
  std::size_t pos_ = 0;  // within in_
};

// A name for an error, as httplib's to_string(httplib::Error) words it for the same failure
// ("Connection", "Read", ...), so that messages stay those of the httplib client it replaced.
std::string_view to_string(HttpConnection::Error error);

}  // namespace mock::common
