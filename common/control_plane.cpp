#include "common/control_plane.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "common/http_util.hpp"
#include <unistd.h>

namespace mock::common {
namespace {

void control_error(httplib::Response& res, int status, const std::string& message) {
  write_json(res, status, {{"error", {{"message", message}}}});
}

// Parses an optional JSON object body; writes the error and returns nullopt when invalid.
std::optional<nlohmann::json> json_object_body(const httplib::Request& req,
                                               httplib::Response& res) {
  if (req.body.empty()) return nlohmann::json::object();
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    control_error(res, 400, "body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

// clang-format off
constexpr std::array kControlRoutes = {
  RouteInfo{"GET",    "/_mock/health",         "health",         RouteKind::kControl},
  RouteInfo{"POST",   "/_mock/reset",          "reset",          RouteKind::kControl},
  RouteInfo{"GET",    "/_mock/state",          "state",          RouteKind::kControl},
  RouteInfo{"GET",    "/_mock/snapshot",       "snapshot",       RouteKind::kControl},
  RouteInfo{"GET",    "/_mock/clock",          "fetch_clock",    RouteKind::kControl},
  RouteInfo{"POST",   "/_mock/clock",          "update_clock",   RouteKind::kControl},
  RouteInfo{"GET",    "/_mock/journal",        "fetch_journal",  RouteKind::kControl},
  RouteInfo{"DELETE", "/_mock/journal",        "clear_journal",  RouteKind::kControl},
  RouteInfo{"POST",   "/_mock/journal/export", "export_journal", RouteKind::kControl},
};
// clang-format on

}  // namespace

std::vector<RouteInfo> control_plane_routes() {
  return {kControlRoutes.begin(), kControlRoutes.end()};
}

std::string format_iso8601(TimePoint t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms.count() % 1000));
}

std::optional<TimePoint> parse_iso8601(const std::string& text) {
  static const std::regex kFull(
      R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?)");
  std::smatch m;
  if (!std::regex_match(text, m, kFull)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  if (m[4].matched) {
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    if (m[6].matched) tm.tm_sec = std::stoi(m[6]);
    if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return std::nullopt;
  }
  const std::time_t secs = timegm(&tm);
  std::int64_t ms = static_cast<std::int64_t>(secs) * 1000;
  if (m[7].matched) {
    std::string frac = m[7].str();
    frac.resize(3, '0');
    ms += std::stoi(frac);
  }
  if (m[8].matched && m[8].str() != "Z" && m[8].str() != "z") {
    std::string off = m[8].str();
    const int sign = off[0] == '-' ? -1 : 1;
    off.erase(std::remove(off.begin(), off.end(), ':'), off.end());
    const int hh = std::stoi(off.substr(1, 2));
    const int mm = std::stoi(off.substr(3, 2));
    ms -= sign * (hh * 3600 + mm * 60) * 1000LL;
  }
  if (ms < 0 || ms >= kMaxClockMs) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(ms));
}

void add_control_plane(httplib::Server& server, ControlTarget& target, const std::string& service,
                       const Clock& clock, std::shared_ptr<spdlog::logger> log,
                       std::size_t journal_cap) {
  // Control-plane routes are guarded like vendor routes: nothing they throw escapes.
  auto render = [](httplib::Response& res, const std::string& detail) {
    control_error(res, 500, detail);
  };
  // Handlers by name; the table above decides what is served where.
  std::map<std::string_view, httplib::Server::Handler> handlers;
  handlers["health"] = [&target, service](const httplib::Request&, httplib::Response& res) {
    if (target.ready()) {
      write_json(res, 200, {{"status", "ok"}, {"service", service}});
    } else {
      write_json(res, 503, {{"status", "starting"}, {"service", service}});
    }
  };

  handlers["reset"] = [&target, log](const httplib::Request& req, httplib::Response& res) {
    auto body = json_object_body(req, res);
    if (!body) return;
    std::optional<std::string> fixture;
    std::optional<std::uint64_t> seed;
    if (body->contains("fixture")) {
      if (!(*body)["fixture"].is_string()) {
        return control_error(res, 400, "fixture must be a string (a fixture name)");
      }
      fixture = (*body)["fixture"].get<std::string>();
    }
    if (body->contains("seed")) {
      if (!(*body)["seed"].is_number_unsigned()) {
        return control_error(res, 400, "seed must be a non-negative integer");
      }
      seed = (*body)["seed"].get<std::uint64_t>();
    }
    auto done = target.reset(fixture, seed);
    if (!done) {
      log->warn("reset refused: {}", done.error());
      const bool missing = done.error().find("not found") != std::string::npos;
      return control_error(res, missing ? 404 : 400, done.error());
    }
    nlohmann::json out = {{"reset", true}};
    if (fixture) out["fixture"] = *fixture;
    if (seed) out["seed"] = *seed;
    write_json(res, 200, out);
  };

  handlers["state"] = [&target](const httplib::Request&, httplib::Response& res) {
    write_json(res, 200, target.state());
  };

  handlers["snapshot"] = [&target, service](const httplib::Request&, httplib::Response& res) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto path =
        (dir / fmt::format("{}-snapshot-{}-{}.db", service, ::getpid(),
                           std::chrono::steady_clock::now().time_since_epoch().count()))
            .string();
    target.snapshot_to(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::filesystem::remove(path);
    res.status = 200;
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}-snapshot.db\"", service));
    res.set_content(ss.str(), "application/vnd.sqlite3");
  };

  handlers["fetch_clock"] = [&target, &clock](const httplib::Request&, httplib::Response& res) {
    write_json(res, 200,
               {{"now", format_iso8601(clock.now())},
                {"mode", target.manual_clock() != nullptr ? "manual" : "system"}});
  };

  handlers["update_clock"] = [&target](const httplib::Request& req, httplib::Response& res) {
    ManualClock* manual = target.manual_clock();
    if (manual == nullptr) {
      return control_error(res, 409, "the clock is the system clock; start with --clock manual");
    }
    auto body = json_object_body(req, res);
    if (!body) return;
    if (body->contains("advance_seconds")) {
      const auto& v = (*body)["advance_seconds"];
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1e10) {
        return control_error(res, 400, "advance_seconds must be a number between 0 and 1e10");
      }
      const auto step = static_cast<std::int64_t>(v.get<double>() * 1000);
      const auto now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(manual->now().time_since_epoch())
              .count();
      if (now_ms + step >= kMaxClockMs) {
        return control_error(res, 400, "advance_seconds would move the clock past 2200-01-01");
      }
      manual->advance(std::chrono::milliseconds(step));
    } else if (body->contains("now")) {
      const auto& v = (*body)["now"];
      auto t = v.is_string() ? parse_iso8601(v.get<std::string>()) : std::nullopt;
      if (!t) return control_error(res, 400, "now must be an ISO-8601 date-time");
      manual->set(*t);
    } else {
      return control_error(res, 400, "give advance_seconds or now");
    }
    write_json(res, 200, {{"now", format_iso8601(manual->now())}, {"mode", "manual"}});
  };

  // The journal is owned by the routes and the hook that use it (shared_ptr: no server-wide
  // slot exists in httplib to hang it on, and no global may hold it).
  auto journal = std::make_shared<Journal>(journal_cap);
  const std::string short_name = service.starts_with("mock_") ? service.substr(5) : service;
  server.set_post_routing_handler(
      [journal, short_name, &clock](const httplib::Request& req, httplib::Response& res) {
        if (req.path.starts_with("/_mock/")) return;
        try {
          journal->add(journal_entry(short_name, clock.now(), req, res));
        } catch (...) {
          // Journaling is best effort: it must never change or break a response.
        }
      });
  handlers["fetch_journal"] = [journal](const httplib::Request&, httplib::Response& res) {
    write_json(res, 200, journal->to_json());
  };
  handlers["clear_journal"] = [journal](const httplib::Request&, httplib::Response& res) {
    journal->clear();
    write_json(res, 200, {{"cleared", true}});
  };
  handlers["export_journal"] = [journal, short_name](const httplib::Request& req,
                                                     httplib::Response& res) {
    auto body = json_object_body(req, res);
    if (!body) return;
    for (const char* key : {"name", "description", "fixture"}) {
      if (body->contains(key) && !(*body)[key].is_string()) {
        return control_error(res, 400, fmt::format("{} must be a string", key));
      }
    }
    if (body->contains("keep_pii") && !(*body)["keep_pii"].is_boolean()) {
      return control_error(res, 400, "keep_pii must be true or false");
    }
    RecordOptions options;
    options.name = body->value("name", short_name + "_session");
    options.description = body->value("description", options.description);
    options.fixture = body->value("fixture", options.fixture);
    if (body->contains("seed")) {
      if (!(*body)["seed"].is_number_unsigned()) {
        return control_error(res, 400, "seed must be a non-negative integer");
      }
      options.seed = (*body)["seed"].get<std::uint64_t>();
    }
    options.keep_pii = body->value("keep_pii", false);
    const auto scenario = to_scenario(merge_journals(journal->entries()), options);
    res.status = 200;
    // replace: a recorded body may hold bytes that are not UTF-8 (the request was refused).
    res.set_content(scenario.dump(2, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
  };
  for (const RouteInfo& route : kControlRoutes) {
    auto handler = handlers.find(route.handler);
    if (handler == handlers.end()) {
      throw std::logic_error("control plane: no handler for " + std::string(route.handler));
    }
    register_route(server, route, guarded(handler->second, render, log));
  }
}

}  // namespace mock::common
