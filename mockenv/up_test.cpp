#include "mockenv/up.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace mock::mockenv {
namespace {

const common::OptionSpec* find_spec(const std::vector<common::OptionSpec>& specs,
                                    const std::string& flag) {
  for (const auto& s : specs) {
    if (s.flag == flag) {
      return &s;
    }
  }
  return nullptr;
}

// Parses `mockenv up ARGS...` the way run_up() does.
common::Result<UpConfig, std::string> config_for(std::vector<std::string> args) {
  args.insert(args.begin(), "up");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  auto parsed =
      common::parse_options(up_option_specs(), static_cast<int>(argv.size()), argv.data(), 1);
  REQUIRE(parsed);
  return up_config_from(*parsed, "mockenv");
}

// Sets an environment variable for the lifetime of the object (each Catch2 test case runs
// in its own process under ctest).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

TEST_CASE("up options: per-service flags read the services' own variables", "[mockenv][up]") {
  const auto specs = up_option_specs();
  struct Case {
    const char* flag;
    const char* env;
    const char* default_value;
  };
  const Case cases[] = {
      {"--twilio-port", "MOCK_TWILIO_PORT", "8082"},
      {"--truevault-port", "MOCK_TRUEVAULT_PORT", "8081"},
      {"--twilio-db", "MOCK_TWILIO_DB", ":memory:"},
      {"--truevault-db", "MOCK_TRUEVAULT_DB", ":memory:"},
      {"--twilio-port-file", "MOCK_TWILIO_PORT_FILE", ""},
      {"--truevault-port-file", "MOCK_TRUEVAULT_PORT_FILE", ""},
      {"--host", "MOCKENV_HOST", "127.0.0.1"},
      {"--fixtures", "MOCKENV_FIXTURES", ""},
      {"--seed", "MOCKENV_SEED", ""},
      {"--clock", "MOCKENV_CLOCK", "system"},
      {"--log-level", "MOCKENV_LOG_LEVEL", "info"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.flag) {
      const auto* spec = find_spec(specs, c.flag);
      REQUIRE(spec != nullptr);
      CHECK(spec->env == c.env);
      CHECK(spec->default_value == c.default_value);
    }
  }
}

TEST_CASE("up options: no per-service copies of shared or wired options", "[mockenv][up]") {
  const auto specs = up_option_specs();
  for (const char* flag :
       {"--port", "--db", "--port-file", "--twilio-host", "--truevault-host", "--twilio-fixtures",
        "--truevault-seed", "--twilio-clock", "--truevault-log-level", "--truevault-twilio-url",
        "--twilio-url", "--twilio-help", "--truevault-healthcheck"}) {
    DYNAMIC_SECTION(flag) { CHECK(find_spec(specs, flag) == nullptr); }
  }
}

TEST_CASE("up config: defaults are the documented ports and one fixture", "[mockenv][up]") {
  auto config = config_for({});
  REQUIRE(config);
  CHECK(config->twilio.server.host == "127.0.0.1");
  CHECK(config->twilio.server.port == 8082);
  CHECK(config->truevault.server.host == "127.0.0.1");
  CHECK(config->truevault.server.port == 8081);
  CHECK(config->twilio.server.db == ":memory:");
  CHECK(config->truevault.server.db == ":memory:");
  CHECK_FALSE(config->twilio.server.fixtures.empty());
  CHECK(config->twilio.server.fixtures == config->truevault.server.fixtures);
  CHECK_FALSE(config->twilio.server.seed.has_value());
}

TEST_CASE("up config: shared flags reach both servers, prefixed flags one", "[mockenv][up]") {
  auto config =
      config_for({"--host", "0.0.0.0", "--fixtures", "/tmp/f.json", "--seed", "7", "--clock",
                  "manual", "--log-level", "warn", "--twilio-port", "0", "--truevault-port=9001",
                  "--twilio-db", "/tmp/t.db", "--truevault-port-file", "/tmp/tv.port"});
  REQUIRE(config);
  for (const auto* server : {&config->twilio.server, &config->truevault.server}) {
    CHECK(server->host == "0.0.0.0");
    CHECK(server->fixtures == "/tmp/f.json");
    CHECK(server->seed == std::optional<std::uint64_t>(7));
    CHECK(server->clock == "manual");
    CHECK(server->log_level == "warn");
  }
  CHECK(config->twilio.server.port == 0);
  CHECK(config->truevault.server.port == 9001);
  CHECK(config->twilio.server.db == "/tmp/t.db");
  CHECK(config->truevault.server.db == ":memory:");
  CHECK(config->truevault.server.port_file == "/tmp/tv.port");
  CHECK(config->twilio.server.port_file.empty());
}

TEST_CASE("up config: flag > environment > default", "[mockenv][up]") {
  ScopedEnv twilio_port("MOCK_TWILIO_PORT", "9102");
  ScopedEnv host("MOCKENV_HOST", "127.0.0.2");
  SECTION("the environment beats the default") {
    auto config = config_for({});
    REQUIRE(config);
    CHECK(config->twilio.server.port == 9102);
    CHECK(config->truevault.server.port == 8081);
    CHECK(config->twilio.server.host == "127.0.0.2");
    CHECK(config->truevault.server.host == "127.0.0.2");
  }
  SECTION("a flag beats the environment") {
    auto config = config_for({"--twilio-port", "0", "--host", "127.0.0.3"});
    REQUIRE(config);
    CHECK(config->twilio.server.port == 0);
    CHECK(config->twilio.server.host == "127.0.0.3");
  }
}

TEST_CASE("up config: a bad value names the flag as typed", "[mockenv][up]") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const Case cases[] = {
      {{"--twilio-port", "abc"},
       "--twilio-port: 'abc' is not a port number (0-65535; 0 = ephemeral)"},
      {{"--truevault-port", "70000"},
       "--truevault-port: '70000' is not a port number (0-65535; 0 = ephemeral)"},
      {{"--seed", "-1"}, "mock_twilio: --seed: '-1' is not a non-negative integer"},
      {{"--clock", "sundial"}, "mock_twilio: --clock: 'sundial' is not one of system, manual"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.args[0] << " " << c.args[1]) {
      auto config = config_for(c.args);
      REQUIRE_FALSE(config);
      CHECK(config.error() == c.error);
    }
  }
}

TEST_CASE("local_url: wildcard binds are reached over loopback", "[mockenv][up]") {
  CHECK(local_url("127.0.0.1", 8082) == "http://127.0.0.1:8082");
  CHECK(local_url("0.0.0.0", 8082) == "http://127.0.0.1:8082");
  CHECK(local_url("::", 8082) == "http://[::1]:8082");
  CHECK(local_url("::1", 8082) == "http://[::1]:8082");
  CHECK(local_url("localhost", 1) == "http://localhost:1");
}

}  // namespace
}  // namespace mock::mockenv
