#include "fuzz/http_fuzz.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
#include "fuzz/fuzz_check.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

// The egress guard: fuzzed StatusCallback URLs must not make the fuzzer connect anywhere but
// loopback. This definition of connect() interposes on libc's for the whole process (httplib's
// shared library included); non-loopback destinations are refused as if nobody listened.
extern "C" int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  bool allowed = false;
  if (addr != nullptr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof in);
    allowed = (ntohl(in.sin_addr.s_addr) >> 24) == 127;
  } else if (addr != nullptr && addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, addr, sizeof in6);
    allowed = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
  } else if (addr != nullptr && addr->sa_family == AF_UNIX) {
    allowed = true;
  }
  if (!allowed) {
    errno = ECONNREFUSED;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_connect, fd, addr, len));
}

namespace mock::fuzz {
namespace {

constexpr std::string_view kSeparator = "\n~~~\n";
constexpr std::string_view kCapture = "([^/]+)";

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Bytes a request target cannot hold raw (space, controls, non-ASCII) percent-encoded.
std::string safe_target(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string_view take_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

FuzzRequest parse_one(std::string_view text, const std::vector<common::RouteInfo>& routes) {
  FuzzRequest request;
  const std::string_view first = take_line(text);
  std::vector<std::string> ids;
  std::string query;
  for (std::string_view line = take_line(text); !line.empty(); line = take_line(text)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const std::string name(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "@id") {
      ids.emplace_back(value);
    } else if (name == "@query") {
      query = safe_target(value);
    } else if (name == "@auth") {
      request.headers.emplace("Authorization", "Basic " + common::base64_encode(value));
    } else {
      bool ok = true;
      for (char c : name) ok = ok && is_token_char(c);
      for (char c : value) ok = ok && c != '\r' && c != '\n' && c != '\0';
      const std::string key = lower(name);
      if (key == "host" || key == "content-length" || key == "transfer-encoding" ||
          key == "connection" || key == "expect") {
        ok = false;
      }
      if (ok) request.headers.emplace(name, std::string(value));
    }
  }
  request.body = std::string(text);

  if (!first.empty() && std::isalpha(static_cast<unsigned char>(first.front())) != 0) {
    const std::size_t space = first.find(' ');
    for (char c : first.substr(0, space)) {
      if (is_token_char(c)) request.method.push_back(c);
    }
    request.path = space == std::string_view::npos ? "/" : safe_target(first.substr(space + 1));
    if (request.path.empty() || request.path.front() != '/') request.path.insert(0, "/");
  } else {
    std::size_t n = 0;
    if (!first.empty() && first.front() == '=') {
      const std::string_view handler = first.substr(1);
      while (n < routes.size() && routes[n].handler != handler) ++n;
    } else {
      for (char c : first.substr(0, 6)) {
        if (c >= '0' && c <= '9') n = n * 10 + static_cast<std::size_t>(c - '0');
      }
    }
    const common::RouteInfo& route = routes[n % routes.size()];
    request.method = std::string(route.method);
    request.path = fill_pattern(route.path, ids);
  }
  if (!query.empty()) request.path += "?" + query;
  return request;
}

[[noreturn]] void broken(const FuzzRequest& request, const httplib::Response& res,
                         const std::string& what) {
  const std::string report = request.method + " " + request.path + " -> " +
                             std::to_string(res.status) + ": " + what +
                             "\n  body: " + res.body.substr(0, 2000);
  invariant_broken(__FILE__, __LINE__, "answer invariant", report);
}

bool is_string(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string();
}

bool twilio_envelope(const nlohmann::json& j, int status) {
  return j.is_object() && j.contains("code") && j["code"].is_number_integer() &&
         is_string(j, "message") && is_string(j, "more_info") && j.contains("status") &&
         j["status"].is_number_integer() && j["status"].get<int>() == status;
}

bool truevault_envelope(const nlohmann::json& j) {
  return j.is_object() && j.value("result", "") == "error" && j.contains("error") &&
         j["error"].is_object() && is_string(j["error"], "code") &&
         is_string(j["error"], "message") && is_string(j["error"], "type");
}

bool control_envelope(const nlohmann::json& j) {
  return j.is_object() && j.contains("error") && j["error"].is_object() &&
         is_string(j["error"], "message");
}

}  // namespace

std::string default_id(std::string_view segment) {
  if (segment == "Accounts") return "AC00000000000000000000000000000001";
  if (segment == "Messages" || segment == "messages") return "SM00000000000000000000000000000001";
  if (segment == "groups") return "00000000-0000-4000-a000-000000000204";
  return "4a635639-fcf5-4cca-9b79-25376fdb460f";  // users, membership: the patient
}

std::string fill_pattern(std::string_view pattern, const std::vector<std::string>& ids) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i).starts_with(kCapture)) {
      if (next < ids.size()) {
        out += common::url_encode(ids[next]);
      } else {
        const std::string_view before = std::string_view(out).substr(0, out.size() - 1);
        out += default_id(before.substr(before.rfind('/') + 1));
      }
      ++next;
      i += std::string_view(kCapture).size();
    } else if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out.push_back(pattern[i + 1]);
      i += 2;
    } else {
      out.push_back(pattern[i]);
      ++i;
    }
  }
  return out;
}

std::vector<FuzzRequest> parse_input(std::string_view input,
                                     const std::vector<common::RouteInfo>& routes) {
  std::vector<FuzzRequest> out;
  while (out.size() < kMaxRequests) {
    const std::size_t sep = input.find(kSeparator);
    out.push_back(parse_one(input.substr(0, sep), routes));
    if (sep == std::string_view::npos) break;
    input.remove_prefix(sep + kSeparator.size());
  }
  return out;
}

Served serve(std::unique_ptr<common::Service> service) {
  Served served;
  served.service = std::move(service);
  common::ListenConfig config;
  config.announce = false;
  config.threads = 4;
  auto runner = common::ServerRunner::start(served.service->http(), config);
  FUZZ_CHECK(runner.has_value(), runner ? "" : runner.error());
  served.runner = std::move(*runner);
  served.client = std::make_unique<httplib::Client>("127.0.0.1", served.runner->port());
  served.client->set_keep_alive(true);
  served.client->set_tcp_nodelay(true);  // its headers and body leave in two writes
  served.client->set_connection_timeout(5, 0);
  served.client->set_read_timeout(15, 0);
  served.client->set_write_timeout(15, 0);
  return served;
}

void send_and_check(Served& served, Vendor vendor, const FuzzRequest& request) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.path;
  req.headers = request.headers;
  req.body = request.body;
  // A body on a method httplib does not read it for (GET, HEAD, OPTIONS, ...) goes on the
  // keep-alive connection like any other: the server answers "Connection: close" and closes
  // (common/connection_loop.cpp), the client reconnects for the next request.
  auto result = served.client->send(req);
  if (!result) {
    httplib::Response none;
    broken(request, none, "no answer: " + httplib::to_string(result.error()));
  }
  const httplib::Response& res = *result;
  if (std::getenv("MOCK_FUZZ_VERBOSE") != nullptr) {  // seed authoring: what each request got
    std::fprintf(stderr, "  %s %s -> %d %.160s\n", request.method.c_str(), request.path.c_str(),
                 res.status, res.body.c_str());
  }
  const bool control = request.path.starts_with("/_mock/");
  const std::string type = res.get_header_value("Content-Type");
  nlohmann::json body;
  if (type.starts_with("application/json") && request.method != "HEAD") {  // HEAD: no body
    body = nlohmann::json::parse(res.body, nullptr, false);
    if (body.is_discarded()) broken(request, res, "a JSON Content-Type without valid JSON");
  }
  if (res.status >= 500) {
    const bool upstream = vendor == Vendor::kTrueVault &&
                          (res.status == 502 || res.status == 504) && truevault_envelope(body) &&
                          body["error"]["code"].get<std::string>().starts_with("MESSAGE.PROVIDER_");
    if (!upstream) broken(request, res, "a 5xx");
  }
  if (res.status >= 400 && request.method != "HEAD") {
    const bool vendor_shape =
        vendor == Vendor::kTwilio ? twilio_envelope(body, res.status) : truevault_envelope(body);
    if (!vendor_shape && !(control && control_envelope(body))) {
      broken(request, res, "an error without the vendor's envelope");
    }
  }
}

void check_alive(Served& served) {
  auto res = served.client->Get("/_mock/health");
  FUZZ_CHECK(res && res->status == 200,
             served.service->name() + ": GET /_mock/health did not answer 200: " +
                 (res ? std::to_string(res->status) + " " + res->body
                      : "no answer: " + httplib::to_string(res.error())));
}

}  // namespace mock::fuzz
