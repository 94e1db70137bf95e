#pragma once
// One named logger per service ("twilio", "truevault", "mockenv"), never the global default
// logger: mockenv hosts both services in one process (house-style §3.10). Output to stderr,
// buffered (the access log writes a line per request): a line reaches stderr within 50 ms,
// at once when it is a warning or worse, and when the logger is destroyed.

#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

namespace mock::common {

// nullopt for an unknown level name. Names: trace, debug, info, warn, error, critical, off.
std::optional<spdlog::level::level_enum> parse_log_level(const std::string& name);
std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            spdlog::level::level_enum level);

}  // namespace mock::common
