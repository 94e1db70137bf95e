#pragma once
// One named logger per service ("twilio", "truevault", "mockenv"), never the global default
// logger: mockenv hosts both services in one process (house-style §3.10). Output to stderr,
// buffered (the access log writes a line per request): a line reaches stderr within 50 ms,
// at once when it is a warning or worse, and when the logger is destroyed. Request threads
// share no lock but a short one around a copy into the buffer (common/logging.cpp).

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>

namespace mock::common {

// nullopt for an unknown level name. Names: trace, debug, info, warn, error, critical, off.
std::optional<spdlog::level::level_enum> parse_log_level(const std::string& name);
// A logger writing to `out` (stderr unless a test says otherwise), lines as kLogPattern.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            spdlog::level::level_enum level,
                                            std::FILE* out = stderr);

// Every line's format, as an spdlog pattern (UTC): 2026-12-07T09:50:00.123Z info [twilio] GET …
inline constexpr const char* kLogPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v";
// Appends `msg` formatted as kLogPattern would format it, with its newline, to `out`; what the
// loggers of make_logger() write, without spdlog's pattern_formatter (whose cached time makes
// it single-threaded: it had to run under the sink's lock).
void format_log_line(const spdlog::details::log_msg& msg, std::string& out);

}  // namespace mock::common
