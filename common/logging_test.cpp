#include "common/logging.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <spdlog/pattern_formatter.h>

#include <stdlib.h>

namespace {

using Clock = std::chrono::system_clock;

std::string spdlog_formatted(const spdlog::details::log_msg& msg) {
  spdlog::pattern_formatter formatter(mock::common::kLogPattern, spdlog::pattern_time_type::utc);
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

std::string ours(const spdlog::details::log_msg& msg) {
  std::string out;
  mock::common::format_log_line(msg, out);
  return out;
}

// Everything written to `path` so far, read through a file description of its own (the
// logger's flusher thread may be writing through its FILE* meanwhile).
std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whole lines so far (a write in progress may show part of one).
std::size_t newlines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t from = 0;
  for (std::size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
    lines.push_back(text.substr(from, nl - from));
  }
  CHECK(from == text.size());  // every line ends with its newline
  return lines;
}

// A file the logger appends to (O_APPEND: every write lands at its end), removed at the end.
struct TempFile {
  TempFile() {
    char name[] = "/tmp/mock-logging-test-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) return;
    path = name;
    file = ::fdopen(fd, "a");
  }
  ~TempFile() {
    if (file != nullptr) std::fclose(file);
    if (!path.empty()) std::remove(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path;
  std::FILE* file = nullptr;
};

}  // namespace

TEST_CASE("format_log_line writes what spdlog's pattern formatter writes for kLogPattern",
          "[common][logging]") {
  const Clock::time_point base{std::chrono::seconds(1796635800)};  // 2026-12-07T09:30:00Z
  const std::vector<Clock::duration> offsets = {
      std::chrono::milliseconds(0),
      std::chrono::milliseconds(1),
      std::chrono::milliseconds(999),
      std::chrono::microseconds(1999999),
      std::chrono::milliseconds(59999),
      std::chrono::hours(24 * 400) + std::chrono::milliseconds(42),
      std::chrono::milliseconds(60000),
      -std::chrono::hours(24 * 365 * 10),
      std::chrono::milliseconds(5)};  // the last goes back to a second formatted before
  const std::vector<std::string> payloads = {
      "GET /2010-04-01/Accounts/AC1/Messages.json 200 0.123ms", "", "ünïcode \t and {braces}"};
  for (const auto& offset : offsets) {
    for (int level = spdlog::level::trace; level <= spdlog::level::critical; ++level) {
      for (const auto& payload : payloads) {
        spdlog::details::log_msg msg(base + offset, spdlog::source_loc{}, "twilio",
                                     static_cast<spdlog::level::level_enum>(level), payload);
        INFO("offset " << std::chrono::duration_cast<std::chrono::microseconds>(offset).count()
                       << " us, level " << level);
        CHECK(ours(msg) == spdlog_formatted(msg));
      }
    }
  }
  // Appends: what the buffer held stays.
  spdlog::details::log_msg msg(base, spdlog::source_loc{}, "tv", spdlog::level::info, "x");
  std::string out = "kept|";
  mock::common::format_log_line(msg, out);
  CHECK(out == "kept|2026-12-07T09:30:00.000Z info [tv] x\n");
}

TEST_CASE("the logger's lines from many threads arrive whole, once each, in each thread's order",
          "[common][logging]") {
  TempFile out;
  REQUIRE(out.file != nullptr);
  constexpr int kThreads = 4;
  constexpr int kLines = 20000;  // ~1.5 MiB in all: past the size at which the flusher writes
  {
    auto log = mock::common::make_logger("many", spdlog::level::info, out.file);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < kLines; ++i) log->info("thread {} line {}", t, i);
      });
    }
    for (auto& thread : threads) thread.join();
  }  // the logger's destruction writes the rest
  const auto lines = lines_of(contents(out.path));
  REQUIRE(lines.size() == static_cast<std::size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const auto& line : lines) {
    const auto at = line.find(" info [many] thread ");
    REQUIRE(at == 24);  // "YYYY-MM-DDTHH:MM:SS.mmmZ" before it
    int t = -1;
    int i = -1;
    REQUIRE(std::sscanf(line.c_str() + at, " info [many] thread %d line %d", &t, &i) == 2);
    REQUIRE(t >= 0);
    REQUIRE(t < kThreads);
    CHECK(i == next[static_cast<std::size_t>(t)]);
    next[static_cast<std::size_t>(t)] = i + 1;
  }
}

TEST_CASE("a warning is written at once with the lines before it; info within the flush delay",
          "[common][logging]") {
  TempFile out;
  REQUIRE(out.file != nullptr);
  auto log = mock::common::make_logger("flush", spdlog::level::info, out.file);
  log->info("first");
  log->warn("second");
  {
    // No waiting: flush_on(warn) wrote both before warn() returned.
    const auto lines = lines_of(contents(out.path));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].ends_with(" info [flush] first"));
    CHECK(lines[1].ends_with(" warning [flush] second"));
  }
  log->info("third");
  // The flusher writes it after ~50 ms; allow a loaded machine far more.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::size_t seen = 0;
  while ((seen = newlines(contents(out.path))) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(seen == 3);
  log->debug("below the level");
  log.reset();
  CHECK(lines_of(contents(out.path)).size() == 3);
}

TEST_CASE("set_pattern still changes the format", "[common][logging]") {
  TempFile out;
  REQUIRE(out.file != nullptr);
  {
    auto log = mock::common::make_logger("pattern", spdlog::level::info, out.file);
    log->set_pattern("%n|%v");
    log->info("plain");
  }
  CHECK(contents(out.path) == "pattern|plain\n");
}
