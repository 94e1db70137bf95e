// Fuzz target: the request decoders of common/ (form.hpp, http_util.hpp).
// The first byte picks a mode (the rest is the input):
//   0 decoders: parse_urlencoded, url_decode, query_of, is_valid_utf8, the encoders.
//     - encode_form(parse_urlencoded(x).fields()) parses back to the same fields;
//     - url_decode(url_encode(x)) == x, url_decode(form_encode_component(x)) == x;
//     - url_decode never grows its input; url_encode's output is plain ASCII;
//     - query_of(x) is a substring of x without '#';
//     - is_valid_utf8 agrees with an independent check (Unicode 15 table 3-7).
//   1 read_body on a non-multipart body, through a ContentReader fed in fuzzed chunk sizes:
//     "CONTENT-TYPE\nLIMIT\nBODY". kTooLarge exactly when BODY is over LIMIT; otherwise raw is
//     BODY, the kind follows the media type and urlencoded fields are parse_urlencoded(BODY).
//   2 read_body on a multipart/form-data body, through httplib's own parser (compiled into
//     the Debian library, so reached over loopback: one in-process server with a single
//     guarded read_body route): "BOUNDARY\nBODY". The answer is 200 (fields) or 400/413,
//     never a 5xx, never a dropped connection; the fields hold no more bytes than BODY.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/form.hpp"
#include "common/http_util.hpp"
#include "common/logging.hpp"
#include "common/server_runner.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace mock::common;

// Well-formed UTF-8 per The Unicode Standard, table 3-7, written independently of
// is_valid_utf8's decode-then-check approach.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
    return k < s.size() && at(k) >= lo && at(k) <= hi;
  };
  while (i < s.size()) {
    const unsigned c = at(i);
    if (c <= 0x7f) {
      i += 1;
    } else if (c >= 0xc2 && c <= 0xdf && in(i + 1, 0x80, 0xbf)) {
      i += 2;
    } else if (c == 0xe0 && in(i + 1, 0xa0, 0xbf) && in(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) && in(i + 1, 0x80, 0xbf) &&
               in(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (c == 0xed && in(i + 1, 0x80, 0x9f) && in(i + 2, 0x80, 0xbf)) {
      i += 3;
    } else if (c == 0xf0 && in(i + 1, 0x90, 0xbf) && in(i + 2, 0x80, 0xbf) &&
               in(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else if (c >= 0xf1 && c <= 0xf3 && in(i + 1, 0x80, 0xbf) && in(i + 2, 0x80, 0xbf) &&
               in(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else if (c == 0xf4 && in(i + 1, 0x80, 0x8f) && in(i + 2, 0x80, 0xbf) &&
               in(i + 3, 0x80, 0xbf)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

void decoders(std::string_view input) {
  const Form form = parse_urlencoded(input);
  const std::string encoded = encode_form(form.fields());
  const Form again = parse_urlencoded(encoded);
  FUZZ_CHECK(again.fields() == form.fields(), encoded);
  for (const auto& [k, v] : form.fields()) {
    FUZZ_CHECK(k.size() + v.size() <= input.size(), k);
    FUZZ_CHECK(form.get(k).has_value() && form.has(k), k);
    FUZZ_CHECK(!form.all(k).empty(), k);
  }

  for (const bool plus : {true, false}) {
    FUZZ_CHECK(url_decode(input, plus).size() <= input.size(), "url_decode grew its input");
  }
  const std::string enc = url_encode(input);
  for (char c : enc) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80 && c != ' ', enc);
  FUZZ_CHECK(url_decode(enc, false) == input && url_decode(enc, true) == input, enc);
  const std::string comp = form_encode_component(input);
  FUZZ_CHECK(url_decode(comp, true) == input, comp);

  const std::string_view query = query_of(input);
  FUZZ_CHECK(query.empty() || input.find(query) != std::string_view::npos, query);
  FUZZ_CHECK(query.find('#') == std::string_view::npos, query);

  FUZZ_CHECK(is_valid_utf8(input) == reference_utf8(input), "is_valid_utf8 disagrees");
}

// "LINE\nREST" -> LINE, REST (no newline: all is LINE).
std::pair<std::string_view, std::string_view> split_line(std::string_view s) {
  const std::size_t nl = s.find('\n');
  if (nl == std::string_view::npos) return {s, {}};
  return {s.substr(0, nl), s.substr(nl + 1)};
}

void plain_body(std::string_view input) {
  const auto [type, rest] = split_line(input);
  const auto parts = split_line(rest);
  const std::string_view limit_text = parts.first;
  const std::string_view body = parts.second;  // a plain variable: lambdas capture it
  std::size_t limit = 0;
  for (char c : limit_text.substr(0, 6)) {
    if (c >= '0' && c <= '9') limit = limit * 10 + static_cast<std::size_t>(c - '0');
  }
  const std::size_t chunk = limit % 7 + 1;  // delivery in small, varying pieces
  httplib::Request req;
  req.set_header("Content-Type", std::string(type));
  int plain_reads = 0;
  int multipart_reads = 0;
  httplib::ContentReader reader(
      [&](const httplib::ContentReceiver& receiver) {
        ++plain_reads;
        for (std::size_t at = 0; at < body.size(); at += chunk) {
          const std::size_t n = std::min(chunk, body.size() - at);
          if (!receiver(body.data() + at, n)) return false;
        }
        return true;
      },
      [&](const httplib::MultipartContentHeader&, const httplib::ContentReceiver&) {
        ++multipart_reads;
        return false;
      });
  auto got = read_body(req, reader, limit);
  if (req.is_multipart_form_data()) {
    // Multipart goes through the multipart reader, which refuses here (mode 2 covers it).
    // Without a boundary read_body reads the bytes first (to drain them), so a body over the
    // limit is kTooLarge (corpus/form/crash-multipart-without-boundary-over-limit).
    FUZZ_CHECK(!got, "multipart accepted");
    FUZZ_CHECK(plain_reads + multipart_reads == 1, "multipart: not read exactly once");
    const bool drained_over = plain_reads == 1 && body.size() > limit;
    FUZZ_CHECK(got.error() == (drained_over ? BodyError::kTooLarge : BodyError::kMalformed),
               "multipart: wrong refusal");
    return;
  }
  if (body.size() > limit) {
    FUZZ_CHECK(!got && got.error() == BodyError::kTooLarge, "over the limit, not kTooLarge");
    return;
  }
  FUZZ_CHECK(got.has_value(), "a body under the limit was refused");
  FUZZ_CHECK(got->raw == body, "raw differs from the body");
  FUZZ_CHECK(req.body == body, "req.body differs from the body");
  // As the code sees it: httplib's get_header_value returns a C string, so a Content-Type with
  // a NUL byte ends there (corpus/form/crash-content-type-with-nul).
  const std::string media = media_type(req.get_header_value("Content-Type"));
  using Kind = RequestBody::Kind;
  if (media == "application/x-www-form-urlencoded") {
    FUZZ_CHECK(got->kind == Kind::kUrlEncoded, media);
    FUZZ_CHECK(got->fields.fields() == parse_urlencoded(body).fields(), "fields differ");
  } else if (media == "application/json" || (media.size() > 5 && media.ends_with("+json"))) {
    FUZZ_CHECK(got->kind == Kind::kJson, media);
  } else {
    FUZZ_CHECK(got->kind == (body.empty() ? Kind::kEmpty : Kind::kOther), media);
  }
  const RequestBody plain = body_of(req);
  FUZZ_CHECK(plain.kind == got->kind && plain.raw == got->raw, "body_of differs from read_body");
}

// One server for the whole run (libFuzzer calls the target many times in one process).
struct MultipartServer {
  httplib::Server server;
  std::unique_ptr<ServerRunner> runner;
  std::unique_ptr<httplib::Client> client;

  MultipartServer() {
    auto log = make_logger("fuzz_form", spdlog::level::off);
    auto render = [](httplib::Response& res, const std::string& detail) {
      write_json(res, 500, {{"error", detail}});
    };
    server.Post(
        "/upload",
        guarded(
            [](const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) {
              auto body = read_body(req, reader, 4096);
              if (!body) {
                return write_json(res, body.error() == BodyError::kTooLarge ? 413 : 400, {});
              }
              nlohmann::json fields = nlohmann::json::array();
              // Sizes, not bytes: the JSON writer replaces invalid UTF-8 (1 byte -> 3).
              for (const auto& [k, v] : body->fields.fields()) {
                fields.push_back({k.size(), v.size()});
              }
              write_json(res, 200, {{"kind", static_cast<int>(body->kind)}, {"fields", fields}});
            },
            render, log));
    ListenConfig config;
    config.announce = false;
    config.threads = 2;
    auto started = ServerRunner::start(server, config);
    FUZZ_CHECK(started.has_value(), started ? "" : started.error());
    runner = std::move(*started);
    client = std::make_unique<httplib::Client>("127.0.0.1", runner->port());
    client->set_keep_alive(true);
    client->set_read_timeout(10, 0);
  }
};

void multipart_body(std::string_view input) {
  static MultipartServer multipart;  // NOLINT: one loopback server per fuzzing process
  auto [boundary, body] = split_line(input);
  std::string type = "multipart/form-data; boundary=";
  for (char c : boundary) {
    // A header value cannot carry CR, LF or NUL; everything else goes through.
    if (c != '\r' && c != '\n' && c != '\0') type.push_back(c);
  }
  auto res = multipart.client->Post("/upload", std::string(body), type);
  FUZZ_CHECK(res, "no answer: " + httplib::to_string(res.error()));
  // 400/413 come from read_body or from httplib itself (an empty boundary: no body).
  FUZZ_CHECK(res->status == 200 || res->status == 400 || res->status == 413, res->body);
  if (res->status != 200) return;
  const auto json = nlohmann::json::parse(res->body, nullptr, false);
  FUZZ_CHECK(!json.is_discarded(), res->body);
  std::size_t total = 0;
  for (const auto& field : json["fields"]) {
    total += field[0].get<std::size_t>() + field[1].get<std::size_t>();
  }
  FUZZ_CHECK(total <= body.size() + type.size(), res->body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  switch (data[0] % 3) {
    case 0:
      decoders(input);
      break;
    case 1:
      plain_body(input);
      break;
    default:
      multipart_body(input);
      break;
  }
  return 0;
}
