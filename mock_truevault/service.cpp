#include "mock_truevault/service.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <future>

#include <fmt/format.h>

#include "common/connection_loop.hpp"
#include "common/control_plane.hpp"
#include "common/crypto.hpp"
#include "common/fixtures.hpp"
#include "common/http_util.hpp"
#include "common/ids.hpp"
#include "common/logging.hpp"
#include "common/route_info.hpp"
#include "common/server_runner.hpp"
#include "mock_truevault/domain/auth.hpp"
#include "mock_truevault/domain/groups.hpp"
#include "mock_truevault/domain/messaging.hpp"
#include "mock_truevault/domain/policy_engine.hpp"
#include "mock_truevault/domain/users.hpp"
#include "mock_truevault/http/routes.hpp"
#include "mock_truevault/http/serialize.hpp"
#include "mock_truevault/http/twilio_client.hpp"
#include "mock_truevault/store/fixture.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {
namespace {

// Path patterns. Captures: [1] = user or group id (v2: comma-separated user ids),
// [2] = comma-separated user ids of a membership DELETE.
constexpr const char* kLogin = "/v1/auth/login";
constexpr const char* kLogout = "/v1/auth/logout";
constexpr const char* kMe = "/v1/auth/me";
constexpr const char* kUsers = "/v1/users";
constexpr const char* kUser = R"(/v1/users/([^/]+))";
constexpr const char* kUsersV2 = R"(/v2/users/([^/]+))";
constexpr const char* kUsersSearch = "/v1/users/search";
constexpr const char* kUserApiKey = R"(/v1/users/([^/]+)/api_key)";
constexpr const char* kUserAccessToken = R"(/v1/users/([^/]+)/access_token)";
constexpr const char* kUserSms = R"(/v1/users/([^/]+)/message/sms)";
constexpr const char* kGroups = "/v1/groups";
constexpr const char* kGroup = R"(/v1/groups/([^/]+))";
constexpr const char* kMembership = R"(/v1/groups/([^/]+)/membership)";
constexpr const char* kMembers = R"(/v1/groups/([^/]+)/membership/([^/]+))";
constexpr const char* kOutbox = "/_mock/messages";

using PlainFn = void (*)(http::Deps&, const httplib::Request&, httplib::Response&);
using ReaderFn = void (*)(http::Deps&, const httplib::Request&, httplib::Response&,
                          const httplib::ContentReader&);

common::InternalErrorRenderer internal_renderer(http::Deps& d) {
  return [&d](httplib::Response& res, const std::string&) {
    http::write_error(d.ids, res, errors::internal_error());
  };
}

// guarded() around every route: nothing a handler throws crosses the HTTP boundary.
httplib::Server::Handler handle(http::Deps& d, PlainFn fn) {
  return common::guarded(
      [&d, fn](const httplib::Request& req, httplib::Response& res) { fn(d, req, res); },
      internal_renderer(d), d.log);
}
httplib::Server::HandlerWithContentReader handle(http::Deps& d, ReaderFn fn) {
  return common::guarded(
      [&d, fn](const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) { fn(d, req, res, reader); },
      internal_renderer(d), d.log);
}

using Route = common::RouteRow<PlainFn, ReaderFn>;

constexpr common::RouteKind kVendor = common::RouteKind::kVendor;
constexpr common::RouteKind kMock = common::RouteKind::kInspection;

// clang-format off
using namespace http;  // handler names read as a table
// httplib tries a method's patterns in this order, each a std::regex_match, so the route the
// guide's flow calls comes first: behind the five POST patterns before it, a message/sms path
// cost ~4.3 us of matching (two of them run through the user id and back) against ~1.2 us
// alone (bench/README.md, "Session 10"). No other pattern matches its paths, so the order
// changes no answer.
constexpr std::array kRoutes = {
  Route{{"POST",   kUserSms,         "send_sms",                 kVendor}, nullptr, send_sms},
  Route{{"POST",   kLogin,           "login",                    kVendor}, nullptr, login},  // no auth
  Route{{"POST",   kLogout,          "logout",                   kVendor}, logout},
  Route{{"GET",    kMe,              "read_current_user",        kVendor}, read_current_user},
  Route{{"PUT",    kMe,              "update_current_user",      kVendor}, nullptr, update_current_user},
  Route{{"POST",   kUsers,           "create_user",              kVendor}, nullptr, create_user},
  Route{{"GET",    kUsers,           "list_users",               kVendor}, list_users},
  Route{{"GET",    kUser,            "read_user",                kVendor}, read_user},
  Route{{"GET",    kUsersV2,         "read_users",               kVendor}, read_users},  // v2
  Route{{"POST",   kUsersSearch,     "search_users",             kVendor}, nullptr, search_users},
  Route{{"PUT",    kUser,            "update_user",              kVendor}, nullptr, update_user},
  Route{{"DELETE", kUser,            "delete_user",              kVendor}, delete_user},
  Route{{"POST",   kUserApiKey,      "create_user_api_key",      kVendor}, nullptr, create_user_api_key},
  Route{{"POST",   kUserAccessToken, "create_user_access_token", kVendor}, nullptr, create_user_access_token},
  Route{{"POST",   kGroups,          "create_group",             kVendor}, nullptr, create_group},
  Route{{"GET",    kGroups,          "list_groups",              kVendor}, list_groups},
  Route{{"GET",    kGroup,           "read_group",               kVendor}, read_group},
  Route{{"PUT",    kGroup,           "update_group",             kVendor}, nullptr, update_group},
  Route{{"DELETE", kGroup,           "delete_group",             kVendor}, delete_group},
  Route{{"POST",   kMembership,      "add_users_to_group",       kVendor}, nullptr, add_users_to_group},
  Route{{"DELETE", kMembers,         "remove_users_from_group",  kVendor}, remove_users_from_group},
  Route{{"GET",    kOutbox,          "list_outbox",              kMock},   list_outbox},  // test inspection API
  Route{{"DELETE", kOutbox,          "clear_outbox",             kMock},   clear_outbox},
};
// clang-format on

void add_routes(httplib::Server& s, http::Deps& d) {
  for (const Route& r : kRoutes) {
    if (r.reading != nullptr) {
      common::register_route(s, r.info, handle(d, r.reading));
    } else {
      common::register_route(s, r.info, handle(d, r.plain));
    }
  }
}

class TrueVaultService final : public common::Service {
 public:
  TrueVaultService(const Config& config, std::shared_ptr<spdlog::logger> log,
                   std::unique_ptr<Store> store, std::unique_ptr<common::Clock> clock)
      : config_(config),
        log_(std::move(log)),
        clock_(std::move(clock)),
        ids_(common::make_id_generator(config.server, config.sequential_ids)),
        store_(std::move(store)),
        // Up to one idle connection per server worker: every concurrent SMS keeps its own.
        twilio_({config.twilio_url, config.twilio_timeout, common::kDefaultThreads}, log_,
                config.twilio_url_source),
        auth_(*store_, *clock_, ids_, policy_),
        users_(*store_, auth_, *clock_),
        groups_(*store_, auth_, policy_),
        messaging_(*store_, auth_, twilio_, *clock_),
        deps_{ids_, auth_, users_, groups_, messaging_, log_} {}

  // The routes, handlers and control plane. Touches only the HTTP server: make_service() runs
  // it while another thread reads the fixture.
  void install_routes() {
    add_routes(server_, deps_);
    server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;  // a handler already wrote its envelope (§3.8.2)
      ApiError error = errors::route_not_found(req.method, req.path);
      if (res.status == 413) error = errors::body_too_large();
      if (res.status >= 500) error = errors::internal_error();
      if (res.status != 404 && res.status != 413 && res.status < 500) {
        // httplib refused the request before routing: name its limits (issue 7).
        error = errors::invalid_parameter(
            "request", res.status == 414
                           ? fmt::format("the request line is over {} bytes",
                                         CPPHTTPLIB_REQUEST_URI_MAX_LENGTH)
                           : fmt::format("malformed HTTP request (bad request line, or a header "
                                         "line over {} bytes)",
                                         CPPHTTPLIB_HEADER_MAX_LENGTH));
        error.http_status = res.status;
      }
      http::write_error(ids_, res, error);
    });
    server_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res,
                                         const std::exception_ptr& /*error*/) {
      // Fail-safe only: guarded() already catches everything a handler throws.
      log_->error("exception escaped a guarded handler: {} {}", req.method, req.path);
      http::write_error(ids_, res, errors::internal_error());
    });
    common::install_access_log(server_, log_);
    common::add_control_plane(server_, *this, "mock_truevault", *clock_, log_,
                              config_.server.journal_cap);
  }

  // The fixture's section, checked (policies included), passwords hashed. Touches only the
  // PolicyEngine (thread-safe) and the file.
  // `load_time` is the created_at of the users the fixture gives none.
  common::Result<FixtureData, std::string> read(const std::string& path,
                                                common::TimePoint load_time) {
    auto file = common::read_fixture_file(path);
    if (!file) return common::fail(file.error());
    auto data = read_fixture_section(
        *file, [this](const nlohmann::json& policy) -> std::optional<std::string> {
          auto valid = policy_.validate(policy);
          if (!valid) return valid.error().message;
          return std::nullopt;
        });
    if (!data) return common::fail(data.error());
    // Hashed here rather than by the store (the same hash): outside the store's lock, and at
    // start-up beside the route registration (OpenSSL's first digest costs ~3M instructions).
    for (auto& fu : data->users) {
      if (fu.password) fu.user.password_hash = common::sha256_hex(*fu.password);
      fu.password.reset();
    }
    for (std::size_t i = 0; i < data->users.size(); ++i) {
      auto& fu = data->users[i];
      fu.user.created_at = load_time;
      if (!fu.created_at) continue;
      auto t = common::parse_iso8601(*fu.created_at);
      if (!t) {
        return common::fail(
            fmt::format("{}: /truevault/users/{}/created_at: '{}' is not an ISO-8601 time such as "
                        "2017-01-15T09:30:00.000Z or 2017-01-15 (from 1970 to 2199)",
                        path, i, *fu.created_at));
      }
      fu.user.created_at = *t;
    }
    return data;
  }

  common::Result<void, std::string> write(const std::string& path, const FixtureData& data) {
    try {
      store_->replace_all(data);
    } catch (const std::exception& e) {
      return common::fail(fmt::format("{}: cannot load the truevault section: {}", path, e.what()));
    }
    return {};
  }

  // A kept --db file holds the ids --seed gave in an earlier run: replaying them would collide
  // with stored rows (every create a 500). Continue from an unused seed instead; a reset (a
  // fresh store) goes back to --seed.
  void keep_store() {
    if (!config_.server.seed) return;
    std::uint64_t nonce = 0;
    for (const char c : common::IdGenerator().bytes(8)) {
      nonce = (nonce << 8) | static_cast<unsigned char>(c);
    }
    ids_.reseed(*config_.server.seed ^ nonce);
  }

  common::Result<void, std::string> load(const std::string& path, common::TimePoint load_time) {
    auto data = read(path, load_time);
    if (!data) return common::fail(data.error());
    return write(path, *data);
  }

  bool ready() const override { return ready_.load(); }

  common::Result<void, std::string> reset(const std::optional<std::string>& fixture,
                                          std::optional<std::uint64_t> seed) override {
    auto path = common::resolve_reset_fixture(config_.server.fixtures, fixture);
    if (!path) return common::fail(path.error());
    // Fixture users without created_at get the load time; a manual clock goes back to its
    // start below, so they get that start (the same instant after every reset).
    const common::TimePoint load_time =
        manual_clock() != nullptr
            ? common::TimePoint(std::chrono::milliseconds(common::ManualClock::kDefaultStartMs))
            : clock_->now();
    if (auto loaded = load(*path, load_time); !loaded) return loaded;
    ids_.reseed(seed ? seed : config_.server.seed);
    if (auto* manual = manual_clock()) manual->reset_to_default_start();
    return {};
  }

  nlohmann::json state() override { return store_->dump(); }
  void snapshot_to(const std::string& path) override { store_->export_to(path); }
  common::ManualClock* manual_clock() override {
    return dynamic_cast<common::ManualClock*>(clock_.get());
  }
  httplib::Server& http() override { return server_; }
  std::string name() const override { return "mock_truevault"; }

  void set_ready() { ready_.store(true); }
  common::TimePoint now() const { return clock_->now(); }

 private:
  Config config_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<common::Clock> clock_;
  common::IdGenerator ids_;
  std::unique_ptr<Store> store_;
  PolicyEngine policy_;
  http::TwilioClient twilio_;
  Auth auth_;
  Users users_;
  Groups groups_;
  Messaging messaging_;
  http::Deps deps_;
  common::HttpServer server_;
  std::atomic<bool> ready_{false};
};

}  // namespace

std::vector<common::RouteInfo> routes() {
  std::vector<common::RouteInfo> out;
  for (const Route& r : kRoutes) out.push_back(r.info);
  for (const auto& r : common::control_plane_routes()) out.push_back(r);
  return out;
}

bool is_base_url(std::string_view url) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto hex = [&](char c) {
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  const auto name = [&](char c) {
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
  };
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::size_t host_end = 0;
  if (rest.starts_with('[')) {  // [IPv6]
    host_end = rest.find(']');
    if (host_end == std::string_view::npos || host_end == 1) return false;
    if (!std::all_of(rest.begin() + 1, rest.begin() + static_cast<std::ptrdiff_t>(host_end),
                     [&](char c) { return hex(c) || c == ':' || c == '.'; })) {
      return false;
    }
    ++host_end;
  } else {
    while (host_end < rest.size() && name(rest[host_end])) ++host_end;
    if (host_end == 0) return false;
  }
  std::string_view port = rest.substr(host_end);
  if (port.empty()) return true;
  if (port.front() != ':') return false;
  port.remove_prefix(1);
  return !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), digit);
}

std::vector<common::OptionSpec> option_specs() {
  auto specs = common::server_option_specs("MOCK_TRUEVAULT", kDefaultPort);
  specs.push_back({"--twilio-url", "MOCK_TRUEVAULT_TWILIO_URL", kDefaultTwilioUrl,
                   "where SMS are forwarded: a Twilio-compatible base URL (scheme://host[:port])"});
  specs.push_back({"--twilio-timeout-ms", "MOCK_TRUEVAULT_TWILIO_TIMEOUT_MS",
                   std::to_string(kDefaultTwilioTimeoutMs),
                   "connect/read/write timeout of each Twilio request, in milliseconds"});
  return specs;
}

common::Result<Config, std::string> config_from(const common::ParsedOptions& parsed,
                                                const char* argv0) {
  Config config;
  auto server = common::server_options_from(parsed);
  if (!server) return common::fail(server.error());
  config.server = *server;
  if (config.server.fixtures.empty()) config.server.fixtures = common::default_fixture_path(argv0);
  config.twilio_url = parsed.get_or("twilio-url", kDefaultTwilioUrl);
  if (!is_base_url(config.twilio_url)) {
    return common::fail(fmt::format(
        "--twilio-url: '{}' is not a base URL such as http://127.0.0.1:8082 (scheme://host[:port], "
        "no path)",
        config.twilio_url));
  }
  if (config.twilio_url.back() == '/') config.twilio_url.pop_back();
  auto timeout = common::parse_u64(
      "--twilio-timeout-ms",
      parsed.get_or("twilio-timeout-ms", std::to_string(kDefaultTwilioTimeoutMs)));
  if (!timeout) return common::fail(timeout.error());
  if (*timeout == 0 || *timeout > 600000) {
    return common::fail(std::string("--twilio-timeout-ms: must be between 1 and 600000"));
  }
  config.twilio_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*timeout));
  return config;
}

common::Result<std::unique_ptr<common::Service>, std::string> make_service(const Config& config) {
  auto level = common::parse_log_level(config.server.log_level);
  if (!level)
    return common::fail(fmt::format("--log-level: '{}' is unknown", config.server.log_level));
  auto log = common::make_logger("truevault", *level);
  auto clock = common::make_clock(config.server.clock);
  if (!clock) return common::fail(fmt::format("--clock: '{}' is unknown", config.server.clock));
  auto store = Store::open(config.server.db);
  if (!store) return common::fail(store.error());
  const bool fresh = (*store)->fresh();
  auto service =
      std::make_unique<TrueVaultService>(config, log, std::move(*store), std::move(clock));
  // The fixture is read on a second thread while this one registers the routes (~4.6M
  // instructions of std::regex compiles in httplib): they share nothing, and on two cores the
  // start-up takes about the longer of the two.
  auto reading = std::async(std::launch::async, [&service, &config] {
    return service->read(config.server.fixtures, service->now());
  });
  service->install_routes();
  auto data = reading.get();
  // A new store gets the fixture; an existing --db file is kept as is (the fixture is still
  // validated, so a broken file fails at start). POST /_mock/reset always reloads.
  if (!data) return common::fail(data.error());
  if (fresh) {
    if (auto loaded = service->write(config.server.fixtures, *data); !loaded) {
      return common::fail(loaded.error());
    }
  } else {
    service->keep_store();
  }
  service->set_ready();
  return std::unique_ptr<common::Service>(std::move(service));
}

}  // namespace mock::truevault
