#pragma once
// What every service library exposes to main(), mockenv and the tests: an httplib::Server
// with its routes, and the control-plane hooks (house-style §3.1 "Library + thin main").

#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace mock::common {

class ControlTarget {
 public:
  virtual ~ControlTarget() = default;
  // True once the fixture is loaded (GET /_mock/health answers 200 only then).
  virtual bool ready() const = 0;
  // Rebuilds the store from `fixture` (a name resolved beside the start-up fixture; nullopt =
  // the start-up fixture) and reseeds the ids (`seed`, or the start-up mode). Atomic: on
  // failure the old state stays and the message says why.
  virtual Result<void, std::string> reset(const std::optional<std::string>& fixture,
                                          std::optional<std::uint64_t> seed) = 0;
  // Every table as JSON (debugging and asserts).
  virtual nlohmann::json state() = 0;
  // A consistent SQLite copy of the state at `path`.
  virtual void snapshot_to(const std::string& path) = 0;
  // The manual clock, when the service runs with --clock manual; nullptr otherwise.
  virtual ManualClock* manual_clock() = 0;
};

class Service : public ControlTarget {
 public:
  // The server with every route installed; serve it with ServerRunner.
  virtual httplib::Server& http() = 0;
  // "mock_twilio" or "mock_truevault".
  virtual std::string name() const = 0;
};

}  // namespace mock::common
