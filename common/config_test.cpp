#include "common/config.hpp"

#include <cstdlib>

#include <catch2/catch.hpp>

#include "common/control_plane.hpp"

using namespace mock::common;

TEST_CASE("flag beats environment beats default", "[common][config]") {
  auto specs = server_option_specs("MOCK_CFGTEST", 8082);
  ::setenv("MOCK_CFGTEST_PORT", "9000", 1);
  const char* argv1[] = {"x"};
  auto a = parse_options(specs, 1, argv1);
  REQUIRE(a);
  CHECK(server_options_from(*a)->port == 9000);
  const char* argv2[] = {"x", "--port", "0", "--log-level=debug"};
  auto b = parse_options(specs, 4, argv2);
  REQUIRE(b);
  auto o = server_options_from(*b);
  REQUIRE(o);
  CHECK(o->port == 0);
  CHECK(o->log_level == "debug");
  ::unsetenv("MOCK_CFGTEST_PORT");
  auto c = parse_options(specs, 1, argv1);
  CHECK(server_options_from(*c)->port == 8082);
}

TEST_CASE("bad values fail naming the flag", "[common][config]") {
  auto specs = server_option_specs("MOCK_CFGTEST", 8082);
  const char* argv1[] = {"x", "--port", "70000"};
  CHECK(server_options_from(*parse_options(specs, 3, argv1)).error().starts_with("--port:"));
  const char* argv2[] = {"x", "--clock", "sundial"};
  CHECK(server_options_from(*parse_options(specs, 3, argv2)).error().starts_with("--clock:"));
  const char* argv3[] = {"x", "--bogus"};
  CHECK(parse_options(specs, 2, argv3).error().find("--bogus") != std::string::npos);
  const char* argv4[] = {"x", "--port"};
  CHECK(parse_options(specs, 2, argv4).error() == "--port needs a value");
}

TEST_CASE("ISO-8601 round trip", "[common][time]") {
  auto t = parse_iso8601("2018-08-21T12:34:56.789Z");
  REQUIRE(t);
  CHECK(format_iso8601(*t) == "2018-08-21T12:34:56.789Z");
  CHECK(format_iso8601(*parse_iso8601("2018-08-21")) == "2018-08-21T00:00:00.000Z");
  CHECK(format_iso8601(*parse_iso8601("2018-08-21T12:00:00+02:00")) == "2018-08-21T10:00:00.000Z");
  CHECK_FALSE(parse_iso8601("2000-00-00T00:0:00.000Z"));
  CHECK_FALSE(parse_iso8601("yesterday"));
}

TEST_CASE("make_id_generator: sequential, else --seed, else random", "[common][config]") {
  ServerOptions server;
  CHECK(make_id_generator(server, true).mode() == IdGenerator::Mode::kSequential);
  CHECK(make_id_generator(server, false).mode() == IdGenerator::Mode::kRandom);
  server.seed = 7;
  CHECK(make_id_generator(server, true).mode() == IdGenerator::Mode::kSequential);
  auto a = make_id_generator(server, false);
  auto b = make_id_generator(server, false);
  CHECK(a.mode() == IdGenerator::Mode::kSeeded);
  CHECK(a.uuid4() == b.uuid4());
}
