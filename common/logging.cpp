#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace mock::common {

std::optional<spdlog::level::level_enum> parse_log_level(const std::string& name) {
  static constexpr const char* kNames[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};
  for (int i = 0; i < 7; ++i) {
    if (name == kNames[i]) return static_cast<spdlog::level::level_enum>(i);
  }
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            spdlog::level::level_enum level) {
  // Not registered in spdlog's registry: tests create many servers with the same name.
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto log = std::make_shared<spdlog::logger>(name, std::move(sink));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  log->set_level(level);
  log->flush_on(spdlog::level::warn);
  return log;
}

}  // namespace mock::common
