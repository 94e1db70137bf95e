#pragma once
// The /_mock/* endpoints both servers share (house-style §3.6). Vendor paths never start
// with "/_", so nothing collides. Unauthenticated: bind loopback (the default).
//
//   GET  /_mock/health    200 {"status":"ok","service":...} once the fixture is loaded, else 503
//   POST /_mock/reset     body (optional JSON) {"fixture": "name", "seed": N}: rebuild the
//                         store from the fixture (default: the start-up one), reseed ids
//   GET  /_mock/state     every table as JSON
//   GET  /_mock/snapshot  the state as a SQLite database file (reopen it with --db)
//   GET  /_mock/clock     {"now": ISO-8601, "mode": "system"|"manual"}
//   POST /_mock/clock     {"advance_seconds": N} or {"now": "2026-01-01T00:00:00Z"}; 409 with
//                         the system clock
//   GET    /_mock/journal         the request journal (common/journal.hpp), oldest first
//   DELETE /_mock/journal         empty it
//   POST   /_mock/journal/export  body (optional JSON) {"name", "description", "fixture",
//                                 "seed", "keep_pii"}: this server's journal as a scenario
//
// It also journals every vendor request (a post-routing hook: it sees the final status and
// body, after the error handler), keeping the newest `journal_cap` entries.
//
// Errors are {"error": {"message": ...}} with 400 (bad input), 404 (unknown fixture) or 409.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <spdlog/logger.h>

#include "common/journal.hpp"
#include "common/route_info.hpp"
#include "common/service.hpp"

namespace mock::common {

// The control plane's routes, as registered by add_control_plane (kind kControl).
std::vector<RouteInfo> control_plane_routes();

void add_control_plane(httplib::Server& server, ControlTarget& target, const std::string& service,
                       const Clock& clock, std::shared_ptr<spdlog::logger> log,
                       std::size_t journal_cap = kDefaultJournalCap);

// ISO-8601 UTC with milliseconds: 2026-01-01T00:00:00.000Z
std::string format_iso8601(TimePoint t);
// Accepts YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM) and YYYY-MM-DD (midnight UTC), from
// 1970-01-01 up to (not including) 2200-01-01: TimePoint counts nanoseconds in 64 bits, which
// end in 2262 (found by fuzz/: year 9999 overflowed into 1816). The same bound caps
// POST /_mock/clock's advance_seconds.
inline constexpr std::int64_t kMaxClockMs = 7258118400000;  // 2200-01-01T00:00:00Z
std::optional<TimePoint> parse_iso8601(const std::string& text);

}  // namespace mock::common
