#pragma once
// User search (truevault-api.md §4.10): the search_option document, parsed and validated into
// a SearchQuery that the store runs as SQL (store/search_store.cpp). No HTTP, no SQL here.
//
//   {"filter": {FIELD: {"type": T, "value": V, "case_sensitive": bool?}, ...},
//    "filter_type": "or" (default) | "and", "full_document": false, "page": 1,
//    "per_page": 100 (1..500), "sort": [{FIELD: "asc" | "desc"}, ...], "schema_id": ignored}
//
// FIELD is a system field ($tv.username, $tv.created_at, $tv.status, $tv.id) or a top-level
// key of the user's attributes. T is eq, in, not, not_in, wildcard (`*` matches any run of
// characters, nothing else is special) or range (V = {gt|gte|lt|lte: bound, ...}).
//
// Semantics chosen where the contract is silent (README "Deviations and choices"):
// - case_sensitive defaults to false (the Go client can only send true); case folding is
//   ASCII only (SQLite's NOCASE / LIKE).
// - not / not_in also match users without the field (an attribute they do not have).
// - An attribute value matches by JSON type: "5" does not equal 5, true does not equal 1.
// - Every user of the caller's account is searched, DEACTIVATED ones included (filter on
//   $tv.status to leave them out).
// - Results come in creation order ($tv.created_at, then insertion) unless sorted; sort keys
//   come first and that order breaks their ties. Users without a sorted attribute come last.
// - An unknown $tv. field is a 400; an attribute no user has simply matches nothing.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "mock_truevault/domain/errors.hpp"

namespace mock::truevault {

inline constexpr std::int64_t kDefaultPerPage = 100;
inline constexpr std::int64_t kMaxPerPage = 500;
// Bounds that keep the generated SQL inside SQLite's limits (expression depth 1000): more
// filters or sort keys than any real query needs, far fewer than a 1 MiB body could hold.
inline constexpr std::size_t kMaxSearchFilters = 100;
inline constexpr std::size_t kMaxSortKeys = 10;

enum class SearchField { kUsername, kCreatedAt, kStatus, kId, kAttribute };
enum class FilterType { kEq, kIn, kNot, kNotIn, kWildcard, kRange };

// A filter operand: text, an integer or a real number, a boolean, JSON null (attributes
// only), or an instant ($tv.created_at only).
using SearchValue =
    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, common::TimePoint>;

struct SearchFilter {
  SearchField field = SearchField::kUsername;
  std::string attribute;  // the attribute key when field == kAttribute
  FilterType type = FilterType::kEq;
  // eq / not / wildcard: one value; in / not_in: zero or more (in [] matches nothing).
  std::vector<SearchValue> values;
  // range: the bounds given (all text, all numbers, or all instants).
  std::optional<SearchValue> gt, gte, lt, lte;
  bool case_sensitive = false;
};

struct SortKey {
  SearchField field = SearchField::kCreatedAt;
  std::string attribute;
  bool descending = false;
};

struct SearchQuery {
  std::vector<SearchFilter> filters;  // none: every user of the account
  bool match_all = false;             // filter_type "and"; "or" (default) = any filter
  bool full_document = false;         // return attributes
  std::int64_t page = 1;              // 1-based
  std::int64_t per_page = kDefaultPerPage;
  std::vector<SortKey> sort;
};

// One user found: its id and, with full_document, its attributes.
struct SearchHit {
  std::string id;
  std::optional<nlohmann::json> attributes;
};

// What the store returns for a query: the page's users and the count of every match.
struct SearchRows {
  std::vector<SearchHit> hits;
  std::int64_t total = 0;
};

// The response's documents and info (4.10, §8).
struct SearchPage {
  std::vector<SearchHit> documents;
  std::int64_t current_page = 0;  // the requested page; 0 when nothing matched (4.10)
  std::int64_t num_pages = 0;     // ceil(total / per_page)
  std::int64_t per_page = kDefaultPerPage;
  std::int64_t total_result_count = 0;
};

// Parses ISO-8601 text (the service passes common::parse_iso8601; injected so the domain
// stays free of the HTTP layer's headers).
using TimeParser = std::function<std::optional<common::TimePoint>(const std::string&)>;

// The decoded search_option document, validated. Errors are 400 REQUEST.INVALID_PARAMETER
// "Invalid search_option: <what and where>".
common::Result<SearchQuery, ApiError> parse_search_option(const nlohmann::json& option,
                                                          const TimeParser& parse_time);

// info for `total` matches of `query` (num_pages, current_page as above).
SearchPage page_of(const SearchQuery& query, SearchRows rows);

}  // namespace mock::truevault
