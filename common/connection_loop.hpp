#pragma once
// The keep-alive connection loop of every server of this project: an httplib::Server whose
// process_and_close_socket() (a virtual that httplib itself overrides for SSLServer) serves a
// connection through a buffered stream instead of httplib's detail::SocketStream. Routing,
// parsing and the handlers stay httplib's (Server::process_request).
//
// Why (bench/README.md, "Session 5"): per keep-alive request, httplib 0.11.4 makes nine system
// calls and sends its answer in two TCP segments: a poll() before every recv() and every
// send(), getpeername() and getsockname(), and the status line and headers in one send(),
// the body in another. This loop makes three (poll while the connection is idle, recv, send):
//  - reads go through a per-connection buffer, and block in recv() under SO_RCVTIMEO (the read
//    timeout) instead of polling first; bytes of a next (pipelined) request stay in the buffer;
//  - writes are buffered and sent together when the request is done, before any read that
//    would block (so "100 Continue" reaches a waiting client), or once 64 KiB are pending;
//  - the peer's and our own address are read once per connection.
// The client side, for mock_truevault's calls to Twilio, is common::HttpConnection.
// Unchanged from httplib: the keep-alive count and timeout, the read and write timeouts, and
// that an idle connection notices stop() within ~10 ms.

#include <httplib.h>

namespace mock::common {

class HttpServer : public httplib::Server {
 private:
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace mock::common
