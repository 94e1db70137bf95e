#include "common/http_util.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "common/crypto.hpp"

namespace mock::common {

std::optional<BasicAuth> parse_basic_auth(std::string_view header) {
  // Scheme is case-insensitive (RFC 7617); one or more spaces before the credentials.
  if (header.size() < 6) return std::nullopt;
  std::string scheme(header.substr(0, 5));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "basic" || header[5] != ' ') return std::nullopt;
  std::string_view rest = header.substr(6);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  auto decoded = base64_decode(rest);
  if (!decoded) return std::nullopt;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicAuth{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string media_type(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

namespace {

RequestBody::Kind kind_of(const std::string& type, bool empty) {
  if (type == "application/x-www-form-urlencoded") return RequestBody::Kind::kUrlEncoded;
  if (type == "multipart/form-data") return RequestBody::Kind::kMultipart;
  if (type == "application/json" || (type.size() > 5 && type.ends_with("+json"))) {
    return RequestBody::Kind::kJson;
  }
  return empty ? RequestBody::Kind::kEmpty : RequestBody::Kind::kOther;
}

}  // namespace

namespace {
// httplib 0.11's rule (parse_multipart_boundary): a non-empty value after "boundary=".
bool has_multipart_boundary(std::string_view content_type) {
  const auto at = content_type.find("boundary=");
  if (at == std::string_view::npos) return false;
  std::string_view value = content_type.substr(at + 9);
  const auto end = value.find(';');
  if (end != std::string_view::npos) value = value.substr(0, end);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return !value.empty();
}
}  // namespace

Result<RequestBody, BodyError> read_body(const httplib::Request& req,
                                         const httplib::ContentReader& reader, std::size_t limit) {
  RequestBody body;
  const std::string_view type_value = header_value(req.headers, "Content-Type");
  const std::string type = media_type(type_value);
  // httplib's Request::is_multipart_form_data(): the header's value starts so.
  const bool multipart = type_value.starts_with("multipart/form-data");
  bool too_large = false;
  std::size_t total = 0;
  if (multipart && !has_multipart_boundary(type_value)) {
    // httplib refuses a multipart Content-Type without a boundary before reading a byte, with
    // any receiver, which left the body in the keep-alive connection (the next request on it
    // got 400 "malformed"; fuzz/corpus/twilio_http/crash-multipart-without-boundary). Read it
    // as plain bytes (httplib picks the reader by the header, so present it as octets for the
    // read; the Request is non-const inside httplib, see below), then refuse it.
    auto& headers = const_cast<httplib::Request&>(req)  // NOLINT: see above
                        .headers;
    auto type_header = headers.find("Content-Type");
    const std::string original = type_header->second;
    type_header->second = "application/octet-stream";
    reader([&](const char*, std::size_t n) {
      total += n;
      too_large = total > limit;
      return !too_large;
    });
    type_header->second = original;
    return fail(too_large ? BodyError::kTooLarge : BodyError::kMalformed);
  }
  if (multipart) {
    std::vector<httplib::MultipartFormData> parts;
    const bool ok = reader(
        [&](const httplib::MultipartFormData& header) {
          parts.push_back(header);
          return true;
        },
        [&](const char* data, std::size_t n) {
          total += n;
          if (total > limit) {
            too_large = true;
            return false;
          }
          parts.back().content.append(data, n);
          return true;
        });
    if (too_large) return fail(BodyError::kTooLarge);
    if (!ok) return fail(BodyError::kMalformed);
    body.kind = RequestBody::Kind::kMultipart;
    // httplib leaves req.files empty on content-reader routes: put the parts where it puts
    // them on plain routes, so that the journal (control_plane.cpp) sees every body alike.
    // The Request is a non-const object inside httplib (process_request), so this is defined.
    auto& files = const_cast<httplib::Request&>(req)
                      .files;  // NOLINT(cppcoreguidelines-pro-type-const-cast): see above
    for (const auto& p : parts) files.emplace(p.name, p);
    for (auto& p : parts) body.fields.add(std::move(p.name), std::move(p.content));
    return body;
  }
  const bool ok = reader([&](const char* data, std::size_t n) {
    total += n;
    if (total > limit) {
      too_large = true;
      return false;
    }
    body.raw.append(data, n);
    return true;
  });
  if (too_large) return fail(BodyError::kTooLarge);
  if (!ok) return fail(BodyError::kMalformed);
  body.kind = kind_of(type, body.raw.empty());
  if (body.kind == RequestBody::Kind::kUrlEncoded) body.fields = parse_urlencoded(body.raw);
  // Same as above: req.body as httplib fills it on plain routes, for the journal.
  const_cast<httplib::Request&>(req).body =
      body.raw;  // NOLINT(cppcoreguidelines-pro-type-const-cast): see above
  return body;
}

RequestBody body_of(const httplib::Request& req) {
  RequestBody body;
  const std::string type = media_type(header_value(req.headers, "Content-Type"));
  body.raw = req.body;
  body.kind = kind_of(type, req.body.empty());
  if (body.kind == RequestBody::Kind::kUrlEncoded) body.fields = parse_urlencoded(body.raw);
  if (body.kind == RequestBody::Kind::kMultipart) {
    for (const auto& [name, part] : req.files) body.fields.add(name, part.content);
  }
  return body;
}

void write_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // error_handler_t::replace: invalid UTF-8 that slipped into stored data never throws here.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

Form query_params(const httplib::Request& req) { return parse_urlencoded(query_of(req.target)); }

namespace {

template <class Fn>
void run_guarded(Fn&& fn, httplib::Response& res, const httplib::Request& req,
                 const InternalErrorRenderer& render, const std::shared_ptr<spdlog::logger>& log) {
  try {
    fn();
    return;
  } catch (const std::exception& e) {
    log->error("unhandled exception in {} {}: {}", req.method, req.path, e.what());
  } catch (...) {
    log->error("unhandled non-standard exception in {} {}", req.method, req.path);
  }
  try {
    res = httplib::Response();
    render(res, "internal error");
  } catch (...) {
    // Guard even a throw while formatting the error (llama.cpp's ex_wrapper).
    res.status = 500;
    res.set_content("{}", "application/json");
  }
}

}  // namespace

httplib::Server::Handler guarded(httplib::Server::Handler handler, InternalErrorRenderer render,
                                 std::shared_ptr<spdlog::logger> log) {
  return [handler = std::move(handler), render = std::move(render), log = std::move(log)](
             const httplib::Request& req, httplib::Response& res) {
    run_guarded([&] { handler(req, res); }, res, req, render, log);
  };
}

httplib::Server::HandlerWithContentReader guarded(httplib::Server::HandlerWithContentReader handler,
                                                  InternalErrorRenderer render,
                                                  std::shared_ptr<spdlog::logger> log) {
  return [handler = std::move(handler), render = std::move(render), log = std::move(log)](
             const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) {
    // A handler that answers before reading the body (a 401 before the upload) would leave the
    // body in the keep-alive connection, where httplib parses it as the next request (400
    // "malformed HTTP request" for the client's next call; found by fuzz/). So track whether
    // the handler read it, and drain what it did not (httplib bounds it by its payload limit).
    bool read = false;
    const httplib::ContentReader tracked(
        [&](httplib::ContentReceiver receiver) {
          read = true;
          return reader(std::move(receiver));
        },
        [&](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
          read = true;
          return reader(std::move(header), std::move(receiver));
        });
    run_guarded([&] { handler(req, res, tracked); }, res, req, render, log);
    if (read) return;
    auto discard = [](const char*, std::size_t) { return true; };
    const bool drained =
        req.is_multipart_form_data()
            ? reader([](const httplib::MultipartFormData&) { return true; }, discard)
            : reader(discard);
    if (!drained) res.set_header("Connection", "close");
  };
}

namespace {
// httplib runs a request's routing and its logger on the same worker thread, so the start
// time of the request in flight on this thread is per-thread state, not shared state.
thread_local std::chrono::steady_clock::time_point t_request_start;
}  // namespace

void install_access_log(httplib::Server& server, std::shared_ptr<spdlog::logger> log) {
  server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_request_start = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_logger(
      [log = std::move(log)](const httplib::Request& req, const httplib::Response& res) {
        // Level check before formatting: logging stays off the hot path when disabled.
        if (!log->should_log(spdlog::level::info)) return;
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t_request_start)
                            .count();
        log->info("{} {} {} {:.3f}ms", req.method, req.path, res.status,
                  static_cast<double>(us) / 1000.0);
      });
}

}  // namespace mock::common
