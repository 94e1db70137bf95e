#include "tests/support/harness.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mock::testing {
namespace fs = std::filesystem;

std::string source_dir() {
  const char* v = std::getenv("MOCK_SOURCE_DIR");
  return v != nullptr ? v : fs::current_path().string();
}

std::string fixture_path(const std::string& name) {
  return (fs::path(source_dir()) / "fixtures" / (name + ".json")).string();
}

std::string bin_path(const std::string& name) {
  if (const char* v = std::getenv("MOCK_BIN_DIR"); v != nullptr && *v != '\0') {
    return (fs::path(v) / name).string();
  }
  // Test executables and servers share build/bin (CMAKE_RUNTIME_OUTPUT_DIRECTORY).
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ((ec ? fs::path("build/bin") : self.parent_path()) / name).string();
}

std::string temp_dir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

TempDir::TempDir(const std::string& prefix) : path_(temp_dir(prefix)) {}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Listener::Listener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||  // NOLINT: BSD API
      ::listen(fd_, 1) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {  // NOLINT: BSD API
    ::close(fd_);
    throw std::runtime_error("cannot hold an ephemeral port");
  }
  port_ = ntohs(addr.sin_port);
}

Listener::~Listener() { close(); }

void Listener::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int free_port() {
  Listener l;
  return l.port();
}

int exit_code(int status) {
  if (status == -1) return -2;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<httplib::Client> client_for(int port, int read_timeout_s) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5);
  c->set_read_timeout(read_timeout_s);
  c->set_write_timeout(5);
  return c;
}

RunningService::RunningService(std::unique_ptr<common::Service> service)
    : service_(std::move(service)) {
  common::ListenConfig cfg;
  cfg.announce = false;
  cfg.threads = 8;
  auto runner = common::ServerRunner::start(service_->http(), cfg);
  if (!runner) throw std::runtime_error(runner.error());
  runner_ = std::move(*runner);
}

RunningService::~RunningService() { runner_->stop(); }

std::unique_ptr<httplib::Client> RunningService::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
  c->set_connection_timeout(5);
  c->set_read_timeout(5);
  c->set_write_timeout(5);
  c->set_tcp_nodelay(true);
  return c;
}

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  dir_ = temp_dir("mock-proc");
  const std::string out = dir_ + "/stdout";
  const std::string err = dir_ + "/stderr";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    std::FILE* o = std::freopen(out.c_str(), "w", stdout);
    std::FILE* e = std::freopen(err.c_str(), "w", stderr);
    (void)o;
    (void)e;
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror("execv");
    std::_Exit(127);
  }
}

Process::~Process() {
  if (running()) stop(SIGKILL, 5000);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool Process::running() {
  if (pid_ < 0 || status_ != -1) return false;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    return false;
  }
  return true;
}

int Process::wait_exit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

int Process::stop(int sig, int timeout_ms) {
  if (running()) ::kill(pid_, sig);
  return wait_exit(timeout_ms);
}

int Process::wait_for_port_file(const std::string& file, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(file)) {
      const std::string text = read_file(file);
      if (!text.empty() && text.back() == '\n') return std::stoi(text);
    }
    if (!running()) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

bool Process::wait_for_output(const std::string& text, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (stdout_text().find(text) != std::string::npos) return true;
    if (!running()) return stdout_text().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string Process::stdout_text() const { return read_file(dir_ + "/stdout"); }
std::string Process::stderr_text() const { return read_file(dir_ + "/stderr"); }

std::string route_path(std::string_view pattern, const std::vector<std::string>& ids) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i).starts_with("([^/]+)")) {
      out += ids.at(next++);
      i += 7;
    } else if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += pattern[i + 1];
      i += 2;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

}  // namespace mock::testing
