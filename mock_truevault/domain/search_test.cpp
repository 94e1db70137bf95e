#include "mock_truevault/domain/search.hpp"

#include <catch2/catch.hpp>

namespace mock::truevault {
namespace {

using nlohmann::json;

// The service's parser is common::parse_iso8601; this one knows two dates, enough to test
// that the option parser asks it and uses its answer.
std::optional<common::TimePoint> test_time(const std::string& text) {
  if (text == "2017-01-01") return common::TimePoint(std::chrono::milliseconds(1483228800000));
  if (text == "2017-03-31") return common::TimePoint(std::chrono::milliseconds(1490918400000));
  return std::nullopt;
}

SearchQuery parse_ok(const json& option) {
  auto q = parse_search_option(option, test_time);
  INFO(option.dump() << " -> " << (q ? "" : q.error().message));
  REQUIRE(q);
  return *q;
}

TEST_CASE("search_option defaults", "[truevault][search]") {
  const SearchQuery q = parse_ok(json::object());
  CHECK(q.filters.empty());
  CHECK_FALSE(q.match_all);
  CHECK_FALSE(q.full_document);
  CHECK(q.page == 1);
  CHECK(q.per_page == 100);
  CHECK(q.sort.empty());
  // schema_id (document search's key) is accepted and ignored.
  CHECK(parse_ok({{"schema_id", "00000000-0000-0000-0000-000000000000"}}).filters.empty());
}

TEST_CASE("search_option: the guide's example", "[truevault][search]") {
  const SearchQuery q = parse_ok(json::parse(R"({"full_document": true, "filter": {
      "$tv.username": {"type": "wildcard", "value": "*@truevault.com"},
      "$tv.created_at": {"type": "range", "value": {"gte": "2017-01-01", "lt": "2017-03-31"}}}})"));
  CHECK(q.full_document);
  REQUIRE(q.filters.size() == 2);
  // nlohmann sorts keys: $tv.created_at first.
  const SearchFilter& created = q.filters[0];
  CHECK(created.field == SearchField::kCreatedAt);
  CHECK(created.type == FilterType::kRange);
  REQUIRE(created.gte);
  CHECK(std::get<common::TimePoint>(*created.gte) ==
        common::TimePoint(std::chrono::milliseconds(1483228800000)));
  REQUIRE(created.lt);
  CHECK_FALSE(created.gt);
  CHECK_FALSE(created.lte);
  const SearchFilter& username = q.filters[1];
  CHECK(username.field == SearchField::kUsername);
  CHECK(username.type == FilterType::kWildcard);
  CHECK(std::get<std::string>(username.values.at(0)) == "*@truevault.com");
  CHECK_FALSE(username.case_sensitive);
}

TEST_CASE("search_option: every filter type, attribute operands, sort, paging",
          "[truevault][search]") {
  const SearchQuery q = parse_ok(json::parse(R"({
      "filter": {"$tv.id": {"type": "in", "value": ["a", "b"], "case_sensitive": true},
                 "$tv.status": {"type": "not", "value": "DEACTIVATED"},
                 "age": {"type": "range", "value": {"gt": 17, "lte": 65.5}},
                 "flag": {"type": "not_in", "value": [true, null, 3, "x", 18446744073709551615]},
                 "name": {"type": "eq", "value": "Pat"}},
      "filter_type": "and", "page": 3, "per_page": 500,
      "sort": [{"name": "desc"}, {"$tv.username": "asc"}]})"));
  CHECK(q.match_all);
  CHECK(q.page == 3);
  CHECK(q.per_page == 500);
  REQUIRE(q.filters.size() == 5);
  CHECK(q.filters[0].field == SearchField::kId);
  CHECK(q.filters[0].type == FilterType::kIn);
  CHECK(q.filters[0].case_sensitive);
  CHECK(q.filters[0].values.size() == 2);
  CHECK(q.filters[1].field == SearchField::kStatus);
  CHECK(q.filters[1].type == FilterType::kNot);
  CHECK(q.filters[2].field == SearchField::kAttribute);
  CHECK(q.filters[2].attribute == "age");
  CHECK(std::get<std::int64_t>(*q.filters[2].gt) == 17);
  CHECK(std::get<double>(*q.filters[2].lte) == 65.5);
  const auto& flag = q.filters[3].values;
  REQUIRE(flag.size() == 5);
  CHECK(std::get<bool>(flag[0]));
  CHECK(std::holds_alternative<std::nullptr_t>(flag[1]));
  CHECK(std::get<std::int64_t>(flag[2]) == 3);
  CHECK(std::get<std::string>(flag[3]) == "x");
  CHECK(std::holds_alternative<double>(flag[4]));  // past int64: a real number
  CHECK(q.filters[4].attribute == "name");
  REQUIRE(q.sort.size() == 2);
  CHECK(q.sort[0].field == SearchField::kAttribute);
  CHECK(q.sort[0].attribute == "name");
  CHECK(q.sort[0].descending);
  CHECK(q.sort[1].field == SearchField::kUsername);
  CHECK_FALSE(q.sort[1].descending);
  // in [] is allowed (matches nothing); a text range on an attribute too.
  CHECK(parse_ok({{"filter", {{"x", {{"type", "in"}, {"value", json::array()}}}}}})
            .filters[0]
            .values.empty());
  CHECK(parse_ok({{"filter", {{"x", {{"type", "range"}, {"value", {{"lt", "m"}}}}}}}})
            .filters[0]
            .lt.has_value());
}

TEST_CASE("search_option errors name what is wrong", "[truevault][search]") {
  struct Case {
    const char* option;
    const char* message;  // after "Invalid search_option: "
  };
  const Case cases[] = {
      {R"([])", "must be a JSON object"},
      {R"("x")", "must be a JSON object"},
      {R"({"filters": {}})",
       "unknown key 'filters' (expected filter, filter_type, full_document, page, per_page, "
       "sort)"},
      {R"({"filter": []})",
       R"(filter must be an object of {"field": {"type": ..., "value": ...}})"},
      {R"({"filter": {"$tv.email": {"type": "eq", "value": "x"}}})",
       "unknown field '$tv.email' (system fields: $tv.username, $tv.created_at, $tv.status, "
       "$tv.id)"},
      {R"({"filter": {"": {"type": "eq", "value": "x"}}})", "field names must not be empty"},
      {R"({"filter": {"name": "Pat"}})",
       R"(filter 'name' must be an object such as {"type": "eq", "value": ...})"},
      {R"({"filter": {"name": {"value": "Pat"}}})", "filter 'name': missing type"},
      {R"({"filter": {"name": {"type": "like", "value": "Pat"}}})",
       R"(filter 'name': unknown type "like" (expected eq, in, not, not_in, wildcard or range))"},
      {R"({"filter": {"name": {"type": 1, "value": "Pat"}}})",
       "filter 'name': unknown type 1 (expected eq, in, not, not_in, wildcard or range)"},
      {R"({"filter": {"name": {"type": "eq"}}})", "filter 'name': missing value"},
      {R"({"filter": {"name": {"type": "eq", "value": "Pat", "op": 1}}})",
       "filter 'name': unknown key 'op' (expected type, value, case_sensitive)"},
      {R"({"filter": {"name": {"type": "eq", "value": "Pat", "case_sensitive": "yes"}}})",
       "filter 'name': case_sensitive must be true or false"},
      {R"({"filter": {"$tv.username": {"type": "eq", "value": 5}}})",
       "filter '$tv.username': value must be a string"},
      {R"({"filter": {"$tv.status": {"type": "in", "value": ["ACTIVATED", null]}}})",
       "filter '$tv.status': value[1] must be a string"},
      {R"({"filter": {"name": {"type": "eq", "value": {"a": 1}}}})",
       "filter 'name': value must be a string, number, boolean or null"},
      {R"({"filter": {"name": {"type": "in", "value": "Pat"}}})",
       "filter 'name': value must be an array"},
      {R"({"filter": {"$tv.created_at": {"type": "eq", "value": "yesterday"}}})",
       "filter '$tv.created_at': value must be a date such as 2017-01-01 or "
       "2017-01-01T00:00:00.000Z"},
      {R"({"filter": {"$tv.created_at": {"type": "wildcard", "value": "2017*"}}})",
       "filter '$tv.created_at': wildcard applies to text fields only (use range)"},
      {R"({"filter": {"name": {"type": "wildcard", "value": ["P*"]}}})",
       "filter 'name': a wildcard value must be a string"},
      {R"({"filter": {"age": {"type": "range", "value": 5}}})",
       "filter 'age': a range value must be an object with gt, gte, lt or lte"},
      {R"({"filter": {"age": {"type": "range", "value": {}}}})",
       "filter 'age': a range needs at least one of gt, gte, lt, lte"},
      {R"({"filter": {"age": {"type": "range", "value": {"from": 1}}}})",
       "filter 'age': unknown range bound 'from' (expected gt, gte, lt, lte)"},
      {R"({"filter": {"age": {"type": "range", "value": {"gt": true}}}})",
       "filter 'age': range bound gt must be a string or a number"},
      {R"({"filter": {"age": {"type": "range", "value": {"gt": 1, "lt": "9"}}}})",
       "filter 'age': range bounds must be all numbers or all strings"},
      {R"({"filter": {"$tv.created_at": {"type": "range", "value": {"gte": 1483228800000}}}})",
       "filter '$tv.created_at': range bound gte must be a date such as 2017-01-01 or "
       "2017-01-01T00:00:00.000Z"},
      {R"({"filter_type": "xor"})", R"(filter_type must be "or" or "and")"},
      {R"({"filter_type": "AND"})", R"(filter_type must be "or" or "and")"},
      {R"({"full_document": "true"})", "full_document must be true or false"},
      {R"({"page": 0})", "page must be an integer from 1 to 1000000000"},
      {R"({"page": -1})", "page must be an integer from 1 to 1000000000"},
      {R"({"page": 1.5})", "page must be an integer from 1 to 1000000000"},
      {R"({"page": "1"})", "page must be an integer from 1 to 1000000000"},
      {R"({"page": 18446744073709551615})", "page must be an integer from 1 to 1000000000"},
      {R"({"per_page": 0})", "per_page must be an integer from 1 to 500"},
      {R"({"per_page": 501})", "per_page must be an integer from 1 to 500"},
      {R"({"sort": {"name": "asc"}})",
       R"(sort must be an array of {"field": "asc" | "desc"} objects)"},
      {R"({"sort": [{"name": "asc", "age": "desc"}]})",
       R"(sort must be an array of {"field": "asc" | "desc"} objects)"},
      {R"({"sort": [{"name": "up"}]})", R"(sort 'name': direction must be "asc" or "desc")"},
      {R"({"sort": [{"$tv.nope": "asc"}]})",
       "unknown field '$tv.nope' (system fields: $tv.username, $tv.created_at, $tv.status, "
       "$tv.id)"},
  };
  for (const auto& c : cases) {
    INFO(c.option);
    auto q = parse_search_option(json::parse(c.option), test_time);
    REQUIRE_FALSE(q);
    CHECK(q.error().http_status == 400);
    CHECK(q.error().code == "REQUEST.INVALID_PARAMETER");
    CHECK(q.error().message == std::string("Invalid search_option: ") + c.message);
  }
}

TEST_CASE("search_option limits: filters and sort keys", "[truevault][search]") {
  json filter = json::object();
  for (std::size_t i = 0; i <= kMaxSearchFilters; ++i) {
    filter["f" + std::to_string(i)] = {{"type", "eq"}, {"value", 1}};
  }
  auto q = parse_search_option({{"filter", filter}}, test_time);
  REQUIRE_FALSE(q);
  CHECK(q.error().message == "Invalid search_option: filter has more than 100 fields");
  filter.erase("f0");
  CHECK(parse_search_option({{"filter", filter}}, test_time));

  json sort = json::array();
  for (std::size_t i = 0; i <= kMaxSortKeys; ++i) sort.push_back({{"f", "asc"}});
  q = parse_search_option({{"sort", sort}}, test_time);
  REQUIRE_FALSE(q);
  CHECK(q.error().message == "Invalid search_option: sort has more than 10 keys");
}

TEST_CASE("page info: num_pages rounds up, current_page is 0 when nothing matched",
          "[truevault][search]") {
  SearchQuery q;
  q.per_page = 2;
  q.page = 2;
  SearchPage p = page_of(q, SearchRows{{{"a", std::nullopt}}, 5});
  CHECK(p.documents.size() == 1);
  CHECK(p.current_page == 2);
  CHECK(p.num_pages == 3);
  CHECK(p.per_page == 2);
  CHECK(p.total_result_count == 5);
  p = page_of(q, SearchRows{{}, 4});
  CHECK(p.num_pages == 2);
  p = page_of(q, SearchRows{{}, 0});
  CHECK(p.current_page == 0);
  CHECK(p.num_pages == 0);
  CHECK(p.total_result_count == 0);
}

}  // namespace
}  // namespace mock::truevault
