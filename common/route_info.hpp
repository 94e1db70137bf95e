#pragma once
// A served route as data (issue 7): each service keeps its routes in one table that its
// registration iterates, and exposes the same rows as `routes()`, so a test can enumerate
// exactly what a server answers (the bad-input and authorization matrices) and no route can be
// added without appearing there.

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <httplib.h>

namespace mock::common {

enum class RouteKind {
  kVendor,      // the vendor's API (authenticated as the vendor does)
  kInspection,  // a service's own /_mock/* inspection or control endpoint
  kControl,     // the shared control plane (common/control_plane.*)
};

constexpr std::string_view to_string(RouteKind kind) {
  switch (kind) {
    case RouteKind::kVendor:
      return "vendor";
    case RouteKind::kInspection:
      return "inspection";
    case RouteKind::kControl:
      return "control";
  }
  return "vendor";
}

struct RouteInfo {
  std::string_view method;   // GET, POST, PUT, DELETE
  std::string_view path;     // httplib's pattern: a regular expression when it has captures
  std::string_view handler;  // the operation (the handler's name)
  RouteKind kind = RouteKind::kVendor;
};

// One row of a service's route table (issue 7: routes() exposes the rows' `info` to the
// matrices): a plain handler, or a reading one for bodies read through a content reader (past
// httplib's 8 KiB form limit). The handler types are the service's own (they take its Deps).
template <typename PlainFn, typename ReaderFn>
struct RouteRow {
  RouteInfo info;
  PlainFn plain = nullptr;
  ReaderFn reading = nullptr;
};

// The pattern httplib is given for a table path: every "[^/]" written as the same set in
// ranges. httplib compiles each route into a std::regex, and libstdc++ fills a 256-entry table
// per bracket expression, calling the locale's collation transform for every character that
// no listed character or range accepts: 255 of them for "[^/]" (~0.2M instructions a bracket,
// ~8M for both services' routes at every start). Written as ranges (0x00-'.', '0'-0x7f and
// 0x80-0xff, negative as char) the set accepts 255 bytes at the range test and only '/' takes
// the slow path (~10k). Same bytes accepted (route_info_test, mockenv routes_test); the
// tables keep the readable form.
inline std::string httplib_pattern(std::string_view path) {
  constexpr std::string_view kNotSlash = "[^/]";
  constexpr std::string_view kRanges = R"([\x00-.0-\x7f\x80-\xff])";
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    if (path.substr(i).starts_with(kNotSlash) && (i == 0 || path[i - 1] != '\\')) {
      out += kRanges;
      i += kNotSlash.size();
    } else {
      out += path[i++];
    }
  }
  return out;
}

// Registers `handler` for `route` on `server`. An unknown method is a programmer error.
template <typename Handler>
void register_route(httplib::Server& server, const RouteInfo& route, Handler handler) {
  const std::string path = httplib_pattern(route.path);
  if (route.method == "GET") {
    if constexpr (std::is_same_v<Handler, httplib::Server::Handler>) {
      server.Get(path, std::move(handler));
      return;
    }
  } else if (route.method == "POST") {
    server.Post(path, std::move(handler));
    return;
  } else if (route.method == "PUT") {
    server.Put(path, std::move(handler));
    return;
  } else if (route.method == "DELETE") {
    server.Delete(path, std::move(handler));
    return;
  }
  throw std::logic_error("register_route: unsupported method " + std::string(route.method) + " " +
                         std::string(route.path));
}

}  // namespace mock::common
