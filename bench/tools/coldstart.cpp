// bench_coldstart: times one cold start, from fork() to the first 2xx response.
//
// Usage: bench_coldstart PORT_FILE URL_PATH -- COMMAND [ARGS...]
//
// Starts COMMAND (stdout and stderr to /dev/null), waits for PORT_FILE to appear (the
// servers write it atomically once the socket accepts connections), then sends GET URL_PATH
// to 127.0.0.1:PORT until the answer is 2xx. Prints the elapsed milliseconds on stdout,
// stops the process with SIGTERM and reaps it. Exit 1 when no 2xx came within 10 s.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

int read_port(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  if (in >> port) return port;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr, "usage: bench_coldstart PORT_FILE URL_PATH -- COMMAND [ARGS...]\n");
    return 2;
  }
  const std::string port_file = argv[1];
  const std::string path = argv[2];
  std::remove(port_file.c_str());

  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(argv[4], argv + 4);
    _exit(127);
  }

  const auto deadline = start + std::chrono::seconds(10);
  int port = 0;
  bool ok = false;
  while (Clock::now() < deadline) {
    if (port == 0) port = read_port(port_file);
    if (port != 0) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(0, 100000);
      if (auto res = client.Get(path.c_str()); res && res->status >= 200 && res->status < 300) {
        ok = true;
        break;
      }
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // died before answering
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!ok) {
    std::fprintf(stderr, "bench_coldstart: no 2xx from %s within 10 s\n", argv[4]);
    return 1;
  }
  std::printf("%.2f\n", ms);
  return 0;
}
