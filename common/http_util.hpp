#pragma once
// HTTP plumbing shared by both servers: body reading past httplib's 8 KiB form limit,
// Basic auth, JSON writing, and guarded(), the wrapper that keeps exceptions from ever
// crossing the HTTP boundary (house-style §3.3). No vendor knowledge lives here: each service
// passes its own renderer for the envelopes.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "common/form.hpp"
#include "common/http_headers.hpp"
#include "common/result.hpp"

namespace mock::common {

inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{1024} * 1024;  // 1 MiB

struct BasicAuth {
  std::string username;
  std::string password;
};
// Parses an `Authorization: Basic ...` value. nullopt when absent or malformed (bad scheme,
// bad base64, no ':').
std::optional<BasicAuth> parse_basic_auth(std::string_view header);

// What a request carried in its body, whatever the encoding.
struct RequestBody {
  enum class Kind { kEmpty, kUrlEncoded, kMultipart, kJson, kOther };
  Kind kind = Kind::kEmpty;
  std::string raw;  // the bytes as received (multipart: empty)
  Form fields;      // urlencoded or multipart fields (multipart files: their content)
};

enum class BodyError {
  kTooLarge,   // over the limit; the connection is closed after the response
  kMalformed,  // multipart without boundary, truncated upload, ...
};

// The media type of a Content-Type value, lowercased, without parameters.
std::string media_type(std::string_view content_type);

// Reads the whole body through httplib's content reader (routes registered with a
// HandlerWithContentReader), so urlencoded bodies over 8 KiB are not refused before our
// handler runs (house-style §3.8.5). Fails with kTooLarge past `limit` bytes.
Result<RequestBody, BodyError> read_body(const httplib::Request& req,
                                         const httplib::ContentReader& reader,
                                         std::size_t limit = kDefaultMaxBodyBytes);
// Same for routes without a content reader (the body is already in req.body).
RequestBody body_of(const httplib::Request& req);

void write_json(httplib::Response& res, int status, const nlohmann::json& body);
// The query string of the request, decoded (keys and values).
Form query_params(const httplib::Request& req);

// Renders an internal error in the service's envelope.
using InternalErrorRenderer = std::function<void(httplib::Response&, const std::string& detail)>;

// Wraps a handler so that nothing it throws escapes: nlohmann parse errors and everything
// else become `render(res, ...)` (a vendor-shaped error), logged at error level. The detail
// passed to the renderer never contains exception text (it may contain internals).
// The content-reader variant also drains a body the handler did not read, so that an early
// answer (401 before reading) leaves a keep-alive connection usable for the next request.
httplib::Server::Handler guarded(httplib::Server::Handler handler, InternalErrorRenderer render,
                                 std::shared_ptr<spdlog::logger> log);
httplib::Server::HandlerWithContentReader guarded(httplib::Server::HandlerWithContentReader handler,
                                                  InternalErrorRenderer render,
                                                  std::shared_ptr<spdlog::logger> log);

// Access log line per request (method, path without query, status, duration); nothing
// secret: no headers, no query, no body.
void install_access_log(httplib::Server& server, std::shared_ptr<spdlog::logger> log);

}  // namespace mock::common
