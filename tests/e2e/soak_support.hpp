#pragma once
// Shared by the soak, durability and secrets e2e tests (issue 7): the two real executables
// started the way a user starts them (mock_twilio, then mock_truevault --twilio-url pointing
// at it, both on 127.0.0.1 port 0 with --port-file), the default fixture's credentials, small
// HTTP helpers and /proc readers (PID of a spawned server, VmRSS).

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/form.hpp"
#include "tests/support/harness.hpp"
#include <dirent.h>
#include <unistd.h>

namespace mock::testing::soak {

using nlohmann::json;

// fixtures/default.json (README "Default fixture"): a public interface, copied here.
inline constexpr const char* kTwilioAccount = "AC00000000000000000000000000000001";
inline constexpr const char* kTwilioAuthToken = "a0000000000000000000000000000001";
inline constexpr const char* kTwilioApiKey = "SK00000000000000000000000000000001";
inline constexpr const char* kTwilioApiSecret = "mock-api-key-secret";
inline constexpr const char* kTwilioFrom = "+15557778888";
inline constexpr const char* kTvAdminKey = "00000000-0000-4000-a000-0000000000a1";
inline constexpr const char* kTvNotifierKey = "00000000-0000-4000-a000-0000000000a2";
inline constexpr const char* kTvAccount = "00000000-0000-4000-a000-000000000001";
inline constexpr const char* kTvAdminPassword = "admin-password";
inline constexpr const char* kTvFullAdminGroup = "00000000-0000-4000-a000-000000000201";
inline constexpr const char* kTvNotifiersGroup = "00000000-0000-4000-a000-000000000204";

inline std::string twilio_messages_path() {
  return std::string("/2010-04-01/Accounts/") + kTwilioAccount + "/Messages";
}

// The guide's SMS request (issue 3) to `user`'s "phone" attribute with `body`.
inline std::string guide_sms_request(const std::string& body) {
  return json{{"provider", "TWILIO"},
              {"auth",
               {{"account_sid", kTwilioAccount},
                {"username", kTwilioApiKey},
                {"password", kTwilioApiSecret}}},
              {"from_number", {{"literal_value", kTwilioFrom}}},
              {"to_number", {{"user_attribute", "phone"}}},
              {"message_body", {{"literal_value", body}}}}
      .dump();
}

// An executable from MOCK_BIN_DIR, else beside this test executable (harness bin_path).
inline std::string exe(const std::string& name) { return bin_path(name); }

// The PID of this process's child whose command line contains `marker` (a unique path such as
// its --port-file), or -1. The harness's Process keeps its PID private.
inline pid_t child_pid_with(const std::string& marker) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  pid_t found = -1;
  while (dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid != ::getpid()) continue;
    std::ifstream cmd("/proc/" + name + "/cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(cmd)), {});
    if (cmdline.find(marker) != std::string::npos) {
      found = static_cast<pid_t>(std::stol(name));
      break;
    }
  }
  ::closedir(proc);
  return found;
}

// VmRSS of `pid` in KiB, or -1 when it is gone.
inline long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// One spawned server.
struct Server {
  std::unique_ptr<Process> process;
  int port = -1;
  pid_t pid = -1;
  std::string port_file;
};

// Starts `binary` with `args` plus --port 0 --port-file DIR/NAME.port; REQUIREs that it binds.
inline Server start_server(const std::string& binary, const std::string& dir,
                           const std::string& name, std::vector<std::string> args,
                           std::map<std::string, std::string> env = {}) {
  Server s;
  s.port_file = dir + "/" + name + ".port";
  std::filesystem::remove(s.port_file);
  std::vector<std::string> argv = {exe(binary), "--port", "0", "--port-file", s.port_file};
  argv.insert(argv.end(), args.begin(), args.end());
  s.process = std::make_unique<Process>(argv, std::move(env));
  s.port = s.process->wait_for_port_file(s.port_file, 20000);
  INFO(binary << " stderr: " << s.process->stderr_text());
  REQUIRE(s.port > 0);
  s.pid = child_pid_with(s.port_file);
  return s;
}

// mock_twilio, then mock_truevault forwarding SMS to it; `db_dir` set: both with --db files
// there (twilio.db, truevault.db).
struct Pair {
  Server twilio;
  Server truevault;
};

inline Pair start_pair(const std::string& dir, const std::optional<std::string>& db_dir,
                       std::vector<std::string> twilio_args = {},
                       std::vector<std::string> truevault_args = {},
                       std::map<std::string, std::string> env = {}) {
  Pair p;
  twilio_args.insert(twilio_args.end(), {"--fixtures", fixture_path("default")});
  truevault_args.insert(truevault_args.end(), {"--fixtures", fixture_path("default")});
  if (db_dir) {
    twilio_args.insert(twilio_args.end(), {"--db", *db_dir + "/twilio.db"});
    truevault_args.insert(truevault_args.end(), {"--db", *db_dir + "/truevault.db"});
  }
  p.twilio = start_server("mock_twilio", dir, "twilio", twilio_args, env);
  truevault_args.insert(truevault_args.end(),
                        {"--twilio-url", "http://127.0.0.1:" + std::to_string(p.twilio.port)});
  p.truevault = start_server("mock_truevault", dir, "truevault", truevault_args, env);
  return p;
}

// A keep-alive client for 127.0.0.1:port.
inline std::unique_ptr<httplib::Client> keep_alive_client(int port, int read_timeout_s = 15) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_keep_alive(true);
  c->set_connection_timeout(5);
  c->set_read_timeout(read_timeout_s);
  c->set_write_timeout(5);
  c->set_tcp_nodelay(true);
  return c;
}

inline httplib::Headers basic(const std::string& user, const std::string& password) {
  return {{"Authorization", "Basic " + common::base64_encode(user + ":" + password)}};
}

inline std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  return common::encode_form(fields);
}

// GET path on 127.0.0.1:port as JSON (REQUIREs a 200).
inline json get_json(int port, const std::string& path, const httplib::Headers& headers = {}) {
  auto c = client_for(port, 60);
  auto res = c->Get(path.c_str(), headers);
  REQUIRE(res);
  INFO(path << ": " << res->body.substr(0, 2000));
  REQUIRE(res->status == 200);
  return json::parse(res->body);
}

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace mock::testing::soak
