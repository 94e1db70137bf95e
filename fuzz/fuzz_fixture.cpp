// Fuzz target: the fixture reader (common/fixtures.hpp) and both services' section loaders
// (mock_twilio/store parse_fixture, mock_truevault/store read_fixture_section, with the real
// policy check). The input is a fixture file.
// Invariants: nothing throws or crashes; every refusal is one line "PATH: /pointer: problem"
// (or "PATH: problem" for unreadable JSON) naming the file.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/fixtures.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/memfile.hpp"
#include "mock_truevault/domain/policy_engine.hpp"
#include "mock_truevault/store/fixture.hpp"
#include "mock_twilio/store/store.hpp"

namespace {

void check_error(const std::string& error, const std::string& path) {
  FUZZ_CHECK(error.starts_with(path + ": "), error);
  FUZZ_CHECK(error.size() > path.size() + 2, error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mock::truevault::PolicyEngine engine;  // NOLINT: as in the server, one per process
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const mock::fuzz::MemFile file(input);
  const std::string path = file.path();

  auto fixture = mock::common::read_fixture_file(path);
  if (!fixture) {
    check_error(fixture.error(), path);
    return 0;
  }
  auto twilio = mock::twilio::parse_fixture(*fixture);
  if (!twilio) check_error(twilio.error(), path);

  auto check_policy = [](const nlohmann::json& policy) -> std::optional<std::string> {
    auto valid = engine.validate(policy);
    if (valid) return std::nullopt;
    return valid.error().message;
  };
  auto truevault = mock::truevault::read_fixture_section(*fixture, check_policy);
  if (!truevault) check_error(truevault.error(), path);
  return 0;
}
