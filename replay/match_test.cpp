#include "replay/match.hpp"

#include <catch2/catch.hpp>

using mock::replay::capture;
using mock::replay::Difference;
using mock::replay::differences;
using mock::replay::first_mismatch;
using mock::replay::substitute;
using mock::replay::Vars;
using nlohmann::json;

TEST_CASE("substitute replaces {{var}} and names an unknown one", "[replay][substitute]") {
  const Vars vars = {{"sid", "SM01"}, {"ac", "AC01"}};
  CHECK(*substitute(std::string("/Accounts/{{ac}}/Messages/{{sid}}.json"), vars) ==
        "/Accounts/AC01/Messages/SM01.json");
  CHECK(*substitute(std::string("no vars"), vars) == "no vars");
  CHECK(*substitute(std::string("{{ not a var }} {{"), vars) == "{{ not a var }} {{");
  auto missing = substitute(std::string("x {{nope}} y"), vars);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == "unknown variable {{nope}}");

  auto j = substitute(json{{"to", "{{ac}}"}, {"list", {"{{sid}}", 1}}, {"{{ac}}", true}}, vars);
  REQUIRE(j);
  CHECK(*j == json{{"to", "AC01"}, {"list", {"SM01", 1}}, {"AC01", true}});
}

TEST_CASE("subset matching: extra keys ignored, first mismatch in document order",
          "[replay][match]") {
  const json actual = {{"result", "error"},
                       {"error", {{"code", "USER.NOT_FOUND"}, {"type", "not_found"}}},
                       {"list", {1, 2}},
                       {"n", 1.0}};
  CHECK_FALSE(first_mismatch(json{{"error", {{"type", "not_found"}}}}, actual));
  CHECK_FALSE(first_mismatch(json{{"n", 1}}, actual));  // 1 == 1.0
  CHECK_FALSE(first_mismatch(json::object(), actual));

  auto m = first_mismatch(json{{"error", {{"code", "X"}}}, {"result", "success"}}, actual);
  REQUIRE(m);
  CHECK(m->pointer == "/error/code");  // keys in sorted order: error before result
  CHECK(m->expected == "X");
  CHECK(m->actual == "USER.NOT_FOUND");

  auto absent = first_mismatch(json{{"missing/key", 1}}, actual);
  REQUIRE(absent);
  CHECK(absent->pointer == "/missing~1key");
  CHECK(absent->missing);

  // Arrays: same length, element by element.
  auto shorter = first_mismatch(json{{"list", {1}}}, actual);
  REQUIRE(shorter);
  CHECK(shorter->pointer == "/list");
  auto element = first_mismatch(json{{"list", {1, 3}}}, actual);
  REQUIRE(element);
  CHECK(element->pointer == "/list/1");
  CHECK(first_mismatch(json{{"list", {1, 2}}}, actual) == std::nullopt);

  auto type = first_mismatch(json{{"error", "x"}}, actual);
  REQUIRE(type);
  CHECK(type->pointer == "/error");
}

TEST_CASE("capture reads JSON pointers into variables", "[replay][capture]") {
  const json actual = {{"sid", "SM01"}, {"n", 3}, {"list", {{{"id", "u1"}}}}};
  Vars vars;
  REQUIRE(capture(json{{"sid", "/sid"}, {"n", "/n"}, {"first", "/list/0/id"}}, actual, vars));
  CHECK(vars == Vars{{"sid", "SM01"}, {"n", "3"}, {"first", "u1"}});

  auto absent = capture(json{{"x", "/nope"}}, actual, vars);
  REQUIRE_FALSE(absent);
  CHECK(absent.error() == "capture x: nothing at /nope");
  auto bad = capture(json{{"x", "nope"}}, actual, vars);
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "capture x: 'nope' is not a JSON pointer");
}

TEST_CASE("differences: changed, removed, added except captured pointers", "[replay][diff]") {
  const json recorded = {{"status", "queued"}, {"to", "+1555"}, {"gone", 1}};
  const json now = {{"status", "failed"}, {"to", "+1555"}, {"sid", "SM02"}, {"new", true}};
  auto d = differences(recorded, now, {"/sid"});
  REQUIRE(d.size() == 3);
  CHECK(d[0].kind == Difference::Kind::kRemoved);
  CHECK(d[0].pointer == "/gone");
  CHECK(d[1].kind == Difference::Kind::kChanged);
  CHECK(d[1].pointer == "/status");
  CHECK(d[2].kind == Difference::Kind::kAdded);
  CHECK(d[2].pointer == "/new");
  CHECK(differences(recorded, recorded, {}).empty());
}
