#pragma once
// Shared by fuzz_twilio_http.cpp and fuzz_truevault_http.cpp: the input format, the request
// sender and the invariants every answer must keep.
//
// Input: up to kMaxRequests requests separated by a line "~~~". Each request:
//   line 1      "N" picks route N (modulo the table) of the server's real route table
//               (routes(): every row its registration iterates, control plane included),
//               "=handler" picks the route of that operation (seeds use this: stable when
//               the table grows), "METHOD /raw/path?query" sends that request line as is;
//   then lines  "Name: value" headers, up to an empty line. Pseudo-headers:
//               "@id: value"    fills the next path parameter (percent-encoded); missing
//                               ones take a default id of the default fixture, chosen by
//                               the path segment before the parameter;
//               "@query: a=b"   appended to the path after '?';
//               "@auth: u:p"    becomes "Authorization: Basic base64(u:p)";
//   the rest    the body (bytes, up to the "~~~" line).
// Header names that are not HTTP tokens and values holding CR, LF or NUL are dropped (the
// client cannot send them); so are Host, Content-Length, Transfer-Encoding, Connection and
// Expect, which frame the request.
//
// Invariants (check_answer): an answer always comes back (no dropped connection, no hang);
// never a 5xx, except TrueVault's documented upstream errors (502/504 with a MESSAGE.PROVIDER_*
// code); every 4xx is the vendor's JSON error envelope (Twilio: code, message, more_info,
// status = HTTP status; TrueVault: result "error", error {code, message, type}); /_mock/*
// control-plane errors may use the control envelope {"error": {"message"}}; a JSON
// Content-Type always carries valid JSON. After each input GET /_mock/health answers 200.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "common/route_info.hpp"
#include "common/server_runner.hpp"
#include "common/service.hpp"

namespace mock::fuzz {

inline constexpr std::size_t kMaxRequests = 4;

struct FuzzRequest {
  std::string method;
  std::string path;  // with the query
  httplib::Headers headers;
  std::string body;
};

// The route regex with its capture groups replaced by `ids` (percent-encoded; missing ones by
// default_id() of the segment before them) and "\." by ".".
std::string fill_pattern(std::string_view pattern, const std::vector<std::string>& ids);
// A default-fixture id for the parameter after `segment` ("users", "Accounts", ...).
std::string default_id(std::string_view segment);

std::vector<FuzzRequest> parse_input(std::string_view input,
                                     const std::vector<common::RouteInfo>& routes);

enum class Vendor { kTwilio, kTrueVault };

// A service from make_service() served on 127.0.0.1:0 with a keep-alive client.
struct Served {
  std::unique_ptr<common::Service> service;
  std::unique_ptr<common::ServerRunner> runner;
  std::unique_ptr<httplib::Client> client;
};
Served serve(std::unique_ptr<common::Service> service);

// Sends `request`, checks the answer (aborting on a broken invariant). With MOCK_FUZZ_VERBOSE
// set, prints each request and the start of its answer (for writing seeds).
void send_and_check(Served& served, Vendor vendor, const FuzzRequest& request);
// GET /_mock/health must answer 200.
void check_alive(Served& served);

}  // namespace mock::fuzz
