// Fuzz target: the scenario parser and the pure matching of replay/ (runner.hpp's
// load_scenario, match.hpp). The input is a scenario file.
// Invariants:
//   - load_scenario() never throws; a refusal names the file ("PATH: ..." or "PATH/pointer");
//     an accepted scenario is a JSON object with a "name";
//   - on any JSON value v of the input: first_mismatch(v, v) is none, differences(v, v) is
//     empty, substitute(v, {}) either fails naming an unknown variable or returns a value with
//     no more characters in it, and substituting a text without "{{" returns it unchanged;
//   - capture() of every pointer "" (the root) stores v itself.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/memfile.hpp"
#include "replay/match.hpp"
#include "replay/runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mock::replay;
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const mock::fuzz::MemFile file(input);

  auto scenario = load_scenario(file.path());
  if (!scenario) {
    FUZZ_CHECK(scenario.error().starts_with(file.path()), scenario.error());
  } else {
    FUZZ_CHECK(scenario->is_object() && scenario->contains("name"), scenario->dump());
  }

  const auto value = nlohmann::json::parse(input, nullptr, false, /*ignore_comments=*/true);
  if (value.is_discarded()) {
    const std::string text(input);
    auto same = substitute(text, Vars{});
    if (text.find("{{") == std::string::npos) FUZZ_CHECK(same && *same == text, text);
    return 0;
  }
  FUZZ_CHECK(!first_mismatch(value, value).has_value(), "a value does not match itself");
  FUZZ_CHECK(differences(value, value, {}).empty(), "a value differs from itself");
  auto substituted = substitute(value, Vars{});
  if (!substituted) {
    FUZZ_CHECK(substituted.error().find("unknown variable") != std::string::npos,
               substituted.error());
  } else {
    FUZZ_CHECK(*substituted == value, "substitution without variables changed the value");
  }
  Vars vars;
  auto captured = capture(nlohmann::json{{"all", ""}}, value, vars);
  FUZZ_CHECK(captured.has_value(), captured ? "" : captured.error());
  FUZZ_CHECK(vars.count("all") == 1, "nothing captured");
  if (value.is_string()) {
    FUZZ_CHECK(vars["all"] == value.get<std::string>(), vars["all"]);
  } else {
    FUZZ_CHECK(vars["all"] == value.dump(), vars["all"]);
  }
  (void)show(value);
  return 0;
}
