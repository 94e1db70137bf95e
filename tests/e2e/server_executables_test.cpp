// End to end: the mock_twilio and mock_truevault executables, spawned as a user runs them
// (moto's server mode): command line, environment, start-up failures, signals, persistence
// and reset. One TEMPLATE_TEST_CASE per behaviour, instantiated for both servers, so ctest -j
// runs them in parallel. Servers bind 127.0.0.1 port 0.

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/harness.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using mock::testing::bin_path;
using mock::testing::client_for;
using mock::testing::exit_code;
using mock::testing::free_port;
using mock::testing::Listener;
using mock::testing::Process;
using mock::testing::TempDir;
using mock::testing::write_file;
using nlohmann::json;

// ---- helpers -----------------------------------------------------------------------------

std::string read_text(const std::string& path) { return mock::testing::read_file(path); }

// fixtures/default.json as JSON (it has comments).
json default_fixture() {
  return json::parse(read_text(mock::testing::fixture_path("default")), nullptr, true, true);
}

// A running server: the process, the port it printed into --port-file.
struct Running {
  std::unique_ptr<Process> process;
  int port = -1;
};

Running start(const std::string& binary, std::vector<std::string> args, const TempDir& dir,
              std::map<std::string, std::string> env = {}) {
  const std::string port_file = dir.file(binary + ".port");
  fs::remove(port_file);
  args.insert(args.begin(), {bin_path(binary), "--port-file", port_file});
  Running r;
  r.process = std::make_unique<Process>(args, env);
  r.port = r.process->wait_for_port_file(port_file);
  INFO(binary << " stderr: " << r.process->stderr_text());
  REQUIRE(r.port > 0);
  return r;
}

// Runs `args` to completion (a start-up failure, --help); returns the process.
std::unique_ptr<Process> run_to_exit(std::vector<std::string> args,
                                     std::map<std::string, std::string> env = {}) {
  auto p = std::make_unique<Process>(std::move(args), std::move(env));
  p->wait_exit(10000);
  return p;
}

int exit_of(Process& p) { return exit_code(p.wait_exit(10000)); }

// ---- the two servers ---------------------------------------------------------------------

// A record each server can create over its vendor API, look up, and lose on reset.
struct TwilioServer {
  static constexpr const char* kBinary = "mock_twilio";
  static constexpr const char* kEnvPrefix = "MOCK_TWILIO";
  static constexpr const char* kAccount = "AC00000000000000000000000000000001";
  static constexpr const char* kToken = "a0000000000000000000000000000001";

  static std::string messages_path() {
    return std::string("/2010-04-01/Accounts/") + kAccount + "/Messages";
  }
  // Creates a message; returns its SID.
  static std::string create(int port) {
    auto c = client_for(port);
    c->set_basic_auth(kAccount, kToken);
    auto res = c->Post((messages_path() + ".json").c_str(),
                       "To=%2B15550001111&From=%2B15557778888&Body=kept+across+restarts",
                       "application/x-www-form-urlencoded");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 201);
    return json::parse(res->body).at("sid").get<std::string>();
  }
  static void check_present(int port, const std::string& sid) {
    auto c = client_for(port);
    c->set_basic_auth(kAccount, kToken);
    auto res = c->Get((messages_path() + "/" + sid + ".json").c_str());
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    const auto body = json::parse(res->body);
    CHECK(body.at("sid") == sid);
    CHECK(body.at("body") == "kept across restarts");
    CHECK(body.at("to") == "+15550001111");
  }
  static void check_absent(int port, const std::string& sid) {
    auto c = client_for(port);
    c->set_basic_auth(kAccount, kToken);
    const std::string path = messages_path() + "/" + sid + ".json";
    auto res = c->Get(path.c_str());
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(json::parse(res->body) ==
          json{{"code", 20404},
               {"message", "The requested resource " + path + " was not found"},
               {"more_info", "https://www.twilio.com/docs/errors/20404"},
               {"status", 404}});
  }
  // A fixture whose mistake the loader must report: {document, pointer, problem}.
  static json with_unknown_key(json doc) {
    doc["twilio"]["accounts"][0]["colour"] = "blue";
    return doc;
  }
  static constexpr const char* kUnknownKeyPointer = "/twilio/accounts/0/colour";
  static json with_malformed_id(json doc) {
    doc["twilio"]["accounts"][0]["sid"] = "AC123";
    return doc;
  }
  static constexpr const char* kMalformedIdPointer = "/twilio/accounts/0/sid";
  static constexpr const char* kMalformedIdProblem =
      "'AC123' is not an account SID (must match ^AC[0-9a-f]{32}$)";
};

struct TrueVaultServer {
  static constexpr const char* kBinary = "mock_truevault";
  static constexpr const char* kEnvPrefix = "MOCK_TRUEVAULT";
  static constexpr const char* kAdminKey = "00000000-0000-4000-a000-0000000000a1";

  static std::string create(int port) {
    auto c = client_for(port);
    c->set_basic_auth(kAdminKey, "");
    auto res = c->Post("/v1/users", "username=e2e-kept-user&password=e2e-password",
                       "application/x-www-form-urlencoded");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    return json::parse(res->body).at("user").at("id").get<std::string>();
  }
  static void check_present(int port, const std::string& id) {
    auto c = client_for(port);
    c->set_basic_auth(kAdminKey, "");
    auto res = c->Get(("/v1/users/" + id).c_str());
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    const auto body = json::parse(res->body);
    CHECK(body.at("result") == "success");
    CHECK(body.at("user").at("id") == id);
    CHECK(body.at("user").at("username") == "e2e-kept-user");
  }
  static void check_absent(int port, const std::string& id) {
    auto c = client_for(port);
    c->set_basic_auth(kAdminKey, "");
    auto res = c->Get(("/v1/users/" + id).c_str());
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 404);
    const auto body = json::parse(res->body);
    CHECK(body.at("result") == "error");
    CHECK(body.at("error").at("code") == "USER.NOT_FOUND");
    CHECK(body.at("error").at("type") == "USER.NOT_FOUND");
    CHECK(body.at("error").at("message").get<std::string>().find(id) != std::string::npos);
  }
  static json with_unknown_key(json doc) {
    doc["truevault"]["users"][0]["colour"] = "blue";
    return doc;
  }
  static constexpr const char* kUnknownKeyPointer = "/truevault/users/0/colour";
  static json with_malformed_id(json doc) {
    doc["truevault"]["users"][0]["id"] = "not-a-uuid";
    return doc;
  }
  static constexpr const char* kMalformedIdPointer = "/truevault/users/0/id";
  static constexpr const char* kMalformedIdProblem =
      "'not-a-uuid' is not a lower-case hyphenated UUID (must match "
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
};

// ---- tests -------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("help: --help exits 0 and lists every flag with its variable", "[e2e][cli]",
                   TwilioServer, TrueVaultServer) {
  auto p = run_to_exit({bin_path(TestType::kBinary), "--help"});
  CHECK(exit_of(*p) == 0);
  const std::string out = p->stdout_text();
  const std::string prefix = TestType::kEnvPrefix;
  for (const char* flag : {"--host", "--port", "--port-file", "--fixtures", "--db", "--seed",
                           "--clock", "--log-level", "--healthcheck", "--help"}) {
    INFO(out);
    CHECK(out.find(std::string(flag) + " ") != std::string::npos);
  }
  for (const char* var :
       {"_HOST", "_PORT", "_PORT_FILE", "_FIXTURES", "_DB", "_SEED", "_CLOCK", "_LOG_LEVEL"}) {
    CHECK(out.find("(env " + prefix + var + ")") != std::string::npos);
  }
}

TEMPLATE_TEST_CASE("an unknown flag is refused naming it", "[e2e][cli]", TwilioServer,
                   TrueVaultServer) {
  auto p = run_to_exit({bin_path(TestType::kBinary), "--colour", "blue"});
  CHECK(exit_of(*p) == 2);
  CHECK(p->stderr_text() ==
        std::string(TestType::kBinary) + ": unknown option --colour (see --help)\n");
}

TEMPLATE_TEST_CASE("starts on port 0, announces it, serves health, stops on SIGTERM/SIGINT",
                   "[e2e][lifecycle]", TwilioServer, TrueVaultServer) {
  const int sig = GENERATE(SIGTERM, SIGINT);
  TempDir dir;
  auto server = start(TestType::kBinary, {"--port", "0"}, dir);
  CHECK(server.process->wait_for_output("\n"));
  CHECK(server.process->stdout_text() ==
        "listening on http://127.0.0.1:" + std::to_string(server.port) + "\n");

  auto res = client_for(server.port)->Get("/_mock/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body).at("status") == "ok");

  // --healthcheck probes the same endpoint (what the container healthcheck runs).
  auto probe = run_to_exit(
      {bin_path(TestType::kBinary), "--healthcheck", "--port", std::to_string(server.port)});
  CHECK(exit_of(*probe) == 0);

  CHECK(exit_code(server.process->stop(sig, 5000)) == 0);
}

TEMPLATE_TEST_CASE("stops within a few seconds while a client holds an idle keep-alive connection",
                   "[e2e][lifecycle]", TwilioServer, TrueVaultServer) {
  // An application with a connection pool (twilio-node, TrueVault's own Twilio client) keeps
  // idle connections open; Ctrl-C on the mock must not wait for them to time out.
  TempDir dir;
  auto server = start(TestType::kBinary, {"--port", "0"}, dir);
  auto client = client_for(server.port);
  client->set_keep_alive(true);
  auto res = client->Get("/_mock/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
}

TEMPLATE_TEST_CASE("healthcheck: the probe fails when nothing answers HTTP", "[e2e][cli]",
                   TwilioServer, TrueVaultServer) {
  Listener held;  // a listener that is not an HTTP server: the probe must not say healthy
  auto probe = run_to_exit(
      {bin_path(TestType::kBinary), "--healthcheck", "--port", std::to_string(held.port())});
  held.close();
  CHECK(exit_of(*probe) == 1);
}

TEMPLATE_TEST_CASE("a fixture mistake stops the server at start, naming file, pointer, problem",
                   "[e2e][fixtures]", TwilioServer, TrueVaultServer) {
  TempDir dir;
  const std::string prefix = std::string(TestType::kBinary) + ": error: ";
  SECTION("bad JSON") {
    const auto file =
        write_file(dir.file("bad.json"), "{\"description\": \"x\",\n \"twilio\": {]\n");
    auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "0", "--fixtures", file});
    CHECK(exit_of(*p) == 1);
    const std::string err = p->stderr_text();
    INFO(err);
    CHECK(err.rfind(prefix + file + ": invalid JSON: ", 0) == 0);
    CHECK(err.find("parse error at line 2, column 13") != std::string::npos);
    CHECK(p->stdout_text().empty());
  }
  SECTION("unknown key") {
    const auto file =
        write_file(dir.file("unknown.json"), TestType::with_unknown_key(default_fixture()).dump(2));
    auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "0", "--fixtures", file});
    CHECK(exit_of(*p) == 1);
    CHECK(p->stderr_text() ==
          prefix + file + ": " + TestType::kUnknownKeyPointer + ": unknown key\n");
    CHECK(p->stdout_text().empty());
  }
  SECTION("malformed id") {
    const auto file = write_file(dir.file("malformed.json"),
                                 TestType::with_malformed_id(default_fixture()).dump(2));
    auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "0", "--fixtures", file});
    CHECK(exit_of(*p) == 1);
    const std::string err = p->stderr_text();
    INFO(err);
    CHECK(err == prefix + file + ": " + TestType::kMalformedIdPointer + ": " +
                     TestType::kMalformedIdProblem + "\n");
    CHECK(p->stdout_text().empty());
  }
  SECTION("missing file") {
    const auto file = dir.file("absent.json");
    auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "0", "--fixtures", file});
    CHECK(exit_of(*p) == 1);
    CHECK(p->stderr_text() == prefix + file + ": cannot read fixture file\n");
  }
}

TEMPLATE_TEST_CASE("the port variable is honoured and a flag beats it", "[e2e][config]",
                   TwilioServer, TrueVaultServer) {
  TempDir dir;
  const std::string var = std::string(TestType::kEnvPrefix) + "_PORT";
  SECTION("environment only") {
    const int port = free_port();
    auto server = start(TestType::kBinary, {}, dir, {{var, std::to_string(port)}});
    CHECK(server.port == port);
    CHECK(server.process->wait_for_output("listening on http://127.0.0.1:" + std::to_string(port) +
                                          "\n"));
    CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
  }
  SECTION("flag over environment") {
    Listener held;  // the variable names a taken port: starting at all proves the flag won
    auto server =
        start(TestType::kBinary, {"--port", "0"}, dir, {{var, std::to_string(held.port())}});
    CHECK(server.port != held.port());
    CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
  }
}

TEMPLATE_TEST_CASE("a port another listener holds is refused", "[e2e][config]", TwilioServer,
                   TrueVaultServer) {
  Listener held;
  auto p = run_to_exit({bin_path(TestType::kBinary), "--port", std::to_string(held.port())});
  CHECK(exit_of(*p) == 1);
  CHECK(p->stderr_text() == std::string(TestType::kBinary) +
                                ": error: cannot bind 127.0.0.1:" + std::to_string(held.port()) +
                                " (address in use or not available)\n");
  CHECK(p->stdout_text().empty());
}

TEMPLATE_TEST_CASE("a bad flag value is refused naming the flag", "[e2e][config]", TwilioServer,
                   TrueVaultServer) {
  auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "http"});
  CHECK(exit_of(*p) == 2);
  CHECK(p->stderr_text() == std::string(TestType::kBinary) +
                                ": --port: 'http' is not a port number (0-65535; 0 = ephemeral)\n");
}

TEMPLATE_TEST_CASE("db: a --db file keeps state across a restart", "[e2e][db]", TwilioServer,
                   TrueVaultServer) {
  TempDir dir;
  const std::string db = dir.file("state.db");
  std::string id;
  {
    auto server = start(TestType::kBinary, {"--port", "0", "--db", db}, dir);
    id = TestType::create(server.port);
    CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
  }
  REQUIRE(fs::exists(db));
  auto server = start(TestType::kBinary, {"--port", "0", "--db", db}, dir);
  TestType::check_present(server.port, id);
  // POST /_mock/reset always reloads the fixture, also with a file.
  auto res = client_for(server.port)->Post("/_mock/reset", "", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  TestType::check_absent(server.port, id);
  CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
}

TEMPLATE_TEST_CASE("a --db file of another schema version is refused and left untouched",
                   "[e2e][db]", TwilioServer, TrueVaultServer) {
  TempDir dir;
  const std::string db = dir.file("other.db");
  {
    SQLite::Database d(db, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    d.exec("CREATE TABLE other_tool (x TEXT)");
    d.exec("INSERT INTO other_tool VALUES ('precious')");
    d.exec("PRAGMA user_version = 999");
  }
  const std::string before = read_text(db);
  const auto mtime = fs::last_write_time(db);

  auto p = run_to_exit({bin_path(TestType::kBinary), "--port", "0", "--db", db});
  CHECK(exit_of(*p) == 1);
  const std::string err = p->stderr_text();
  INFO(err);
  CHECK(err.rfind(std::string(TestType::kBinary) + ": error: " + db +
                      ": database schema version 999 is not this build's version ",
                  0) == 0);
  CHECK(err.find("refusing to open it") != std::string::npos);
  CHECK(read_text(db) == before);
  CHECK(fs::last_write_time(db) == mtime);
  CHECK_FALSE(fs::exists(db + "-wal"));
}

TEMPLATE_TEST_CASE("POST /_mock/reset restores the fixture state", "[e2e][reset]", TwilioServer,
                   TrueVaultServer) {
  TempDir dir;
  auto server = start(TestType::kBinary, {"--port", "0"}, dir);
  const std::string id = TestType::create(server.port);
  TestType::check_present(server.port, id);
  auto res = client_for(server.port)->Post("/_mock/reset", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  TestType::check_absent(server.port, id);
  // The fixture's own credentials still work after the rebuild: a new record can be created.
  TestType::check_present(server.port, TestType::create(server.port));
  CHECK(exit_code(server.process->stop(SIGTERM, 5000)) == 0);
}

}  // namespace
