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

// Registers `handler` for `route` on `server`. An unknown method is a programmer error.
template <typename Handler>
void register_route(httplib::Server& server, const RouteInfo& route, Handler handler) {
  const std::string path(route.path);
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
                         path);
}

}  // namespace mock::common
