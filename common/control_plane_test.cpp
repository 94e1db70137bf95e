#include "common/control_plane.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/logging.hpp"
#include "common/server_runner.hpp"

using mock::common::ManualClock;
using nlohmann::json;

namespace {

// The smallest ControlTarget: a manual clock, nothing to reset.
class FakeTarget final : public mock::common::ControlTarget {
 public:
  bool ready() const override { return true; }
  mock::common::Result<void, std::string> reset(const std::optional<std::string>&,
                                                std::optional<std::uint64_t>) override {
    return {};
  }
  json state() override { return json::object(); }
  void snapshot_to(const std::string&) override {}
  ManualClock* manual_clock() override { return &clock; }
  ManualClock clock;
};

struct ControlServer {
  FakeTarget target;
  httplib::Server server;
  std::unique_ptr<mock::common::ServerRunner> runner;
  ControlServer() {
    mock::common::add_control_plane(server, target, "mock_test", target.clock,
                                    mock::common::make_logger("control_test", spdlog::level::off));
    mock::common::ListenConfig config;
    config.announce = false;
    config.threads = 2;
    auto started = mock::common::ServerRunner::start(server, config);
    REQUIRE(started.has_value());
    runner = std::move(*started);
  }
  std::pair<int, json> post(const std::string& path, const std::string& body) {
    httplib::Client client("127.0.0.1", runner->port());
    auto res = client.Post(path, body, "application/json");
    REQUIRE(res);
    return {res->status, json::parse(res->body)};
  }
};

}  // namespace

// Regressions found by fuzz/ (fuzz/corpus/twilio_http/crash-*).
TEST_CASE("POST /_mock/journal/export: options of the wrong type are a 400, not a 500",
          "[common][control_plane]") {
  ControlServer s;
  auto [status, body] = s.post("/_mock/journal/export", R"({"name": 1})");
  CHECK(status == 400);
  CHECK(body["error"]["message"] == "name must be a string");
  std::tie(status, body) = s.post("/_mock/journal/export", R"({"keep_pii": "yes"})");
  CHECK(status == 400);
  CHECK(body["error"]["message"] == "keep_pii must be true or false");
}

TEST_CASE("POST /_mock/clock: instants past 2199 are refused (nanosecond time_point range)",
          "[common][control_plane]") {
  ControlServer s;
  auto [status, body] = s.post("/_mock/clock", R"({"now": "9999-12-31T23:59:59Z"})");
  CHECK(status == 400);
  CHECK(body["error"]["message"] == "now must be an ISO-8601 date-time");
  std::tie(status, body) = s.post("/_mock/clock", R"({"advance_seconds": 1e10})");
  CHECK(status == 400);
  CHECK(body["error"]["message"] == "advance_seconds would move the clock past 2200-01-01");
  std::tie(status, body) = s.post("/_mock/clock", R"({"now": "2199-12-31T23:59:59Z"})");
  CHECK(status == 200);
  CHECK(body["now"] == "2199-12-31T23:59:59.000Z");
}

TEST_CASE("parse_iso8601 keeps to 1970-01-01 .. 2200-01-01", "[common][time]") {
  using mock::common::parse_iso8601;
  CHECK_FALSE(parse_iso8601("9999-12-31T23:59:59.999999999+99:99"));
  CHECK_FALSE(parse_iso8601("2200-01-01"));
  CHECK_FALSE(parse_iso8601("1969-12-31T23:59:59Z"));
  CHECK(parse_iso8601("1970-01-01T00:00:00Z"));
}
