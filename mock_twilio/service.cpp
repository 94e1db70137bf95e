#include "mock_twilio/service.hpp"

#include <array>
#include <atomic>
#include <future>

#include <fmt/format.h>
#include <httplib.h>

#include "common/connection_loop.hpp"
#include "common/control_plane.hpp"
#include "common/fixtures.hpp"
#include "common/http_util.hpp"
#include "common/ids.hpp"
#include "common/logging.hpp"
#include "common/route_info.hpp"
#include "common/sqlite.hpp"
#include "mock_twilio/domain/inbound.hpp"
#include "mock_twilio/domain/lifecycle.hpp"
#include "mock_twilio/domain/messaging.hpp"
#include "mock_twilio/domain/scheduler.hpp"
#include "mock_twilio/domain/status_engine.hpp"
#include "mock_twilio/http/control_routes.hpp"
#include "mock_twilio/http/messages_routes.hpp"
#include "mock_twilio/http/serialize.hpp"
#include "mock_twilio/http/webhook_client.hpp"
#include "mock_twilio/store/store.hpp"

namespace mock::twilio {
namespace {

constexpr const char* kServiceName = "mock_twilio";

common::Result<TwilioFixture, std::string> read_fixture(const std::string& path) {
  auto file = common::read_fixture_file(path);
  if (!file) return common::fail(file.error());
  return parse_fixture(*file);
}

using PlainFn = void (*)(http::Deps&, const httplib::Request&, httplib::Response&);
using ReaderFn = void (*)(http::Deps&, const httplib::Request&, httplib::Response&,
                          const httplib::ContentReader&);

using Route = common::RouteRow<PlainFn, ReaderFn>;

constexpr common::RouteKind kVendor = common::RouteKind::kVendor;
constexpr common::RouteKind kMock = common::RouteKind::kInspection;

// clang-format off
using namespace http;  // handler names read as a table
constexpr std::array kRoutes = {
  Route{{"POST",   kMessagesPath,        "create_message",          kVendor}, nullptr, create_message},  // CreateMessage
  Route{{"GET",    kMessagesPath,        "list_message",            kVendor}, list_message},             // ListMessage
  Route{{"GET",    kMessagePath,         "fetch_message",           kVendor}, fetch_message},            // FetchMessage
  Route{{"POST",   kMessagePath,         "update_message",          kVendor}, nullptr, update_message},  // UpdateMessage
  Route{{"DELETE", kMessagePath,         "delete_message",          kVendor}, delete_message},           // DeleteMessage
  Route{{"GET",    kInspectionPath,      "inspect_messages",        kMock},   inspect_messages},         // messages sent (LocalStack-style)
  Route{{"DELETE", kInspectionPath,      "clear_messages",          kMock},   clear_messages},           // forget them
  Route{{"GET",    kCallbacksPath,       "list_callbacks",          kMock},   list_callbacks},           // webhook attempts
  Route{{"GET",    kCallbackOptionsPath, "fetch_callback_options",  kMock},   fetch_callback_options},   // retry/delay/dup/reorder
  Route{{"PUT",    kCallbackOptionsPath, "update_callback_options", kMock},   update_callback_options},
  Route{{"GET",    kLifecyclePath,       "fetch_lifecycle",         kMock},   fetch_lifecycle},          // mode + step delays
  Route{{"PUT",    kLifecyclePath,       "update_lifecycle",        kMock},   update_lifecycle},
  Route{{"POST",   kAdvancePath,         "advance_message",         kMock},   advance_message},          // manual mode
  Route{{"GET",    kMagicPath,           "list_magic",              kMock},   list_magic},               // the magic-number table
  Route{{"POST",   kInboundPath,         "receive_inbound",         kMock},   receive_inbound},          // simulate a reply
};
// clang-format on

using FixtureReading = std::future<common::Result<TwilioFixture, std::string>>;

class TwilioService final : public common::Service {
 public:
  TwilioService(const Config& config, std::shared_ptr<spdlog::logger> log,
                std::unique_ptr<common::Clock> clock, std::unique_ptr<common::Sqlite> db,
                LifecycleSettings settings)
      : config_(config),
        settings_(settings),
        log_(std::move(log)),
        clock_(std::move(clock)),
        ids_(common::make_id_generator(config.server, config.sequential_ids)),
        db_(std::move(db)),
        store_(*db_, [log = log_](const std::string& what) { log->error("store: {}", what); }),
        lifecycle_(settings, *clock_),
        engine_(store_, lifecycle_, sender_, config.callbacks),
        messaging_(store_, *clock_, ids_, lifecycle_, engine_),
        inbound_(store_, ids_, lifecycle_, engine_, sender_),
        deps_{messaging_, store_, log_, engine_, lifecycle_, inbound_} {}

  // Loads the start-up fixture into a fresh store; an existing --db file is kept as is.
  // `fixture` is the start-up fixture, being read on another thread (make_service).
  common::Result<void, std::string> start(FixtureReading& fixture) {
    // A fresh store gets the fixture on another thread while this one registers the routes
    // (~3M instructions of std::regex compiles in httplib): they share nothing, and on two
    // cores the start-up takes about the longer of the two.
    std::future<common::Result<void, std::string>> loading;
    if (db_->fresh()) {
      loading =
          std::async(std::launch::async, [this, &fixture]() -> common::Result<void, std::string> {
            auto read = fixture.get();
            if (!read) return common::fail(read.error());
            store_.load_fixture(*read);
            return {};
          });
    } else if (config_.server.seed) {
      // A kept --db file holds the ids this seed gave in an earlier run: replaying them would
      // collide with stored rows (every create a 500). Continue from an unused seed instead;
      // a reset (a fresh store) goes back to --seed.
      std::uint64_t nonce = 0;
      for (const char c : common::IdGenerator().bytes(8)) {
        nonce = (nonce << 8) | static_cast<unsigned char>(c);
      }
      ids_.reseed(*config_.server.seed ^ nonce);
    }
    if (db_->in_memory()) {
      if (store_.writer_boosted()) {
        log_->debug("store: the write-behind thread runs {} nice levels above the process",
                    store_.limits().writer_boost);
      } else {
        log_->debug("store: the write-behind thread was not granted a higher priority");
      }
    }
    install_routes();
    if (loading.valid()) {
      if (auto loaded = loading.get(); !loaded) return loaded;
    }
    // The one worker thread: transitions and callbacks run there, never on a request thread.
    scheduler_ = std::make_unique<Scheduler>(
        engine_, *clock_, manual_clock() != nullptr,
        [log = log_](const std::string& what) { log->error("scheduler: {}", what); });
    engine_.set_wakeup([s = scheduler_.get()] { s->wake(); });
    ready_ = true;
    return {};
  }

  ~TwilioService() override {
    // Stop the worker before anything it uses goes away, and let no late wake() reach it.
    engine_.set_wakeup({});
    scheduler_.reset();
  }
  TwilioService(const TwilioService&) = delete;
  TwilioService& operator=(const TwilioService&) = delete;

  bool ready() const override { return ready_; }

  common::Result<void, std::string> reset(const std::optional<std::string>& fixture,
                                          std::optional<std::uint64_t> seed) override {
    auto path = common::resolve_reset_fixture(config_.server.fixtures, fixture);
    if (!path) return common::fail(path.error());
    auto parsed = read_fixture(*path);
    if (!parsed) return common::fail(parsed.error());
    {
      // No transition interleaves with the rebuild; callbacks in flight are not recorded.
      std::lock_guard lock(lifecycle_.message_mutex());
      engine_.reset(config_.callbacks);
      lifecycle_.set_settings(settings_);
      store_.load_fixture(*parsed);  // atomic: rebuild under the lock, in one transaction
      ids_.reseed(seed ? seed : config_.server.seed);
      if (auto* manual = manual_clock()) manual->reset_to_default_start();
    }
    engine_.wake();
    return {};
  }

  nlohmann::json state() override { return store_.dump_state(); }
  void snapshot_to(const std::string& path) override {
    store_.flush();  // queued messages are part of the state
    db_->export_to(path);
  }
  common::ManualClock* manual_clock() override {
    return dynamic_cast<common::ManualClock*>(clock_.get());
  }
  httplib::Server& http() override { return server_; }
  std::string name() const override { return kServiceName; }

 private:
  void install_routes() {
    auto render = [](httplib::Response& res, const std::string&) {
      write_error(res, errors::internal_error());
    };
    auto plain = [this, render](void (*fn)(Deps&, const httplib::Request&, httplib::Response&)) {
      return common::guarded(
          [this, fn](const httplib::Request& req, httplib::Response& res) { fn(deps_, req, res); },
          render, log_);
    };
    auto reading = [this, render](void (*fn)(Deps&, const httplib::Request&, httplib::Response&,
                                             const httplib::ContentReader&)) {
      return common::guarded(
          [this, fn](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { fn(deps_, req, res, reader); },
          render, log_);
    };
    auto& s = server_;
    for (const Route& r : kRoutes) {
      if (r.reading != nullptr) {
        common::register_route(s, r.info, reading(r.reading));
      } else {
        common::register_route(s, r.info, plain(r.plain));
      }
    }
    common::add_control_plane(s, *this, kServiceName, *clock_, log_, config_.server.journal_cap);

    // Runs for every response >= 400; fills only an empty body (house-style §3.8.2): an
    // unknown route gets Twilio's 404, httplib's own refusals (bad request line, payload over
    // its limit, ...) a Twilio-shaped envelope.
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 404) return write_error(res, errors::not_found(req.path));
      // httplib's own payload limit (2 MiB) is above ours: anything it refuses is over ours too.
      if (res.status == 413) {
        return write_error(res, errors::request_too_large(http::kMaxBodyBytes));
      }
      write_error(res, errors::http_error(res.status));
    });
    // Fail-safe only: every route is guarded, so this should never fire.
    s.set_exception_handler([log = log_](const httplib::Request& req, httplib::Response& res,
                                         const std::exception_ptr& ep) {
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        log->error("exception escaped a guarded route {} {}: {}", req.method, req.path, e.what());
      } catch (...) {
        log->error("non-standard exception escaped a guarded route {} {}", req.method, req.path);
      }
      write_error(res, errors::internal_error());
    });
    common::install_access_log(s, log_);
  }

  Config config_;
  LifecycleSettings settings_;  // the start-up settings, restored by reset
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<common::Clock> clock_;
  common::IdGenerator ids_;
  std::unique_ptr<common::Sqlite> db_;
  Store store_;
  Lifecycle lifecycle_;
  http::HttplibWebhookSender sender_;
  StatusEngine engine_;
  Messaging messaging_;
  Inbound inbound_;
  http::Deps deps_;
  common::HttpServer server_;
  std::atomic<bool> ready_{false};
  // Last: destroyed first, so the worker stops before anything it uses goes away.
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace

std::vector<common::RouteInfo> routes() {
  std::vector<common::RouteInfo> out;
  for (const Route& r : kRoutes) out.push_back(r.info);
  for (const auto& r : common::control_plane_routes()) out.push_back(r);
  return out;
}

std::vector<common::OptionSpec> option_specs() {
  auto specs = common::server_option_specs("MOCK_TWILIO", kDefaultPort);
  specs.push_back({"--progression", "MOCK_TWILIO_PROGRESSION", "timed",
                   "how messages move after creation: immediate | timed | manual"});
  specs.push_back({"--step-delays", "MOCK_TWILIO_STEP_DELAYS",
                   "accepted=1000,queued=1000,sending=1000,sent=2000",
                   "timed mode: milliseconds spent in each status"});
  specs.push_back({"--callback-attempts", "MOCK_TWILIO_CALLBACK_ATTEMPTS", "3",
                   "attempts per status callback (1 = no retry)"});
  specs.push_back({"--callback-backoff-ms", "MOCK_TWILIO_CALLBACK_BACKOFF_MS", "1000",
                   "wait before the first retry; doubles after each"});
  specs.push_back({"--callback-timeout-ms", "MOCK_TWILIO_CALLBACK_TIMEOUT_MS", "5000",
                   "connect/read timeout of one webhook attempt"});
  specs.push_back({"--callback-delay-ms", "MOCK_TWILIO_CALLBACK_DELAY_MS", "0",
                   "extra delay before every status callback"});
  specs.push_back({"--callback-duplicate", "MOCK_TWILIO_CALLBACK_DUPLICATE", "false",
                   "send every status callback twice (true|false)"});
  specs.push_back({"--callback-reorder", "MOCK_TWILIO_CALLBACK_REORDER", "false",
                   "callbacks due together are sent newest first (true|false)"});
  return specs;
}

common::Result<Config, std::string> config_from(const common::ParsedOptions& parsed,
                                                const char* argv0) {
  auto server = common::server_options_from(parsed);
  if (!server) return common::fail(server.error());
  Config config;
  config.server = *server;
  if (config.server.fixtures.empty()) config.server.fixtures = common::default_fixture_path(argv0);
  config.progression = parsed.get_or("progression", config.progression);
  if (!parse_progression(config.progression)) {
    return common::fail(fmt::format("--progression: '{}' is not one of immediate, timed, manual",
                                    config.progression));
  }
  if (auto text = parsed.get("step-delays")) {
    auto delays = parse_step_delays(*text, config.step_delays);
    if (!delays) {
      return common::fail(fmt::format(
          "--step-delays: '{}' is not a list like accepted=1000,queued=1000,sending=1000,sent=2000",
          *text));
    }
    config.step_delays = *delays;
  }
  struct Number {
    const char* flag;
    std::uint64_t min;
    std::uint64_t max;
  };
  for (const Number n :
       {Number{"callback-attempts", 1, 10}, Number{"callback-backoff-ms", 0, 86400000},
        Number{"callback-timeout-ms", 1, 60000}, Number{"callback-delay-ms", 0, 86400000}}) {
    auto text = parsed.get(n.flag);
    if (!text) continue;
    auto v = common::parse_u64(std::string("--") + n.flag, *text);
    if (!v || *v < n.min || *v > n.max) {
      return common::fail(
          fmt::format("--{}: '{}' is not an integer from {} to {}", n.flag, *text, n.min, n.max));
    }
    const std::string flag = n.flag;
    if (flag == "callback-attempts") config.callbacks.max_attempts = static_cast<int>(*v);
    if (flag == "callback-backoff-ms") config.callbacks.backoff = std::chrono::milliseconds(*v);
    if (flag == "callback-timeout-ms") config.callbacks.timeout = std::chrono::milliseconds(*v);
    if (flag == "callback-delay-ms") config.callbacks.delay = std::chrono::milliseconds(*v);
  }
  for (const char* flag : {"callback-duplicate", "callback-reorder"}) {
    auto text = parsed.get(flag);
    if (!text) continue;
    if (*text != "true" && *text != "false") {
      return common::fail(fmt::format("--{}: '{}' is not true or false", flag, *text));
    }
    (std::string(flag) == "callback-duplicate" ? config.callbacks.duplicate
                                               : config.callbacks.reorder) = *text == "true";
  }
  return config;
}

common::Result<std::unique_ptr<common::Service>, std::string> make_service(const Config& config) {
  const auto level = common::parse_log_level(config.server.log_level);
  if (!level)
    return common::fail(fmt::format("--log-level: '{}' is not a level", config.server.log_level));
  auto clock = common::make_clock(config.server.clock);
  if (!clock)
    return common::fail(
        fmt::format("--clock: '{}' is not one of system, manual", config.server.clock));
  const auto progression = parse_progression(config.progression);
  if (!progression) {
    return common::fail(fmt::format("--progression: '{}' is not one of immediate, timed, manual",
                                    config.progression));
  }
  // The fixture file is read and checked while the store opens; an existing --db file does
  // not use it (nor fail on it), as before.
  FixtureReading fixture = std::async(
      std::launch::async, [path = config.server.fixtures] { return read_fixture(path); });
  auto db = common::Sqlite::open(config.server.db, kSchemaSql, kSchemaVersion, kApplicationId);
  if (!db) return common::fail(db.error());
  auto service = std::make_unique<TwilioService>(
      config, common::make_logger("twilio", *level), std::move(clock), std::move(*db),
      LifecycleSettings{*progression, config.step_delays});
  auto started = service->start(fixture);
  if (!started) return common::fail(started.error());
  return std::unique_ptr<common::Service>(std::move(service));
}

}  // namespace mock::twilio
