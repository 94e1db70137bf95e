// User search as SQL (truevault-api.md §4.10; the query's meaning is in domain/search.hpp).
//
// One WHERE clause, built from the validated SearchQuery with every operand bound as a
// numbered parameter, serves two statements: SELECT COUNT(*) (total_result_count) and the
// page, SELECT ... ORDER BY ... LIMIT per_page OFFSET (page - 1) * per_page. OFFSET paging
// walks the skipped rows, which is bounded here: a page holds at most 500 users and the whole
// search runs inside one account. The statements are prepared per search, not cached: their
// text depends on the filters, and a cache keyed by it would grow without bound.
//
// Index use (schema.sql): every search is inside one account (account_id = ?1). System fields
// are columns: eq/in on username use users_by_username_nocase (case-insensitive) or
// users_by_account; a wildcard with a literal prefix becomes LIKE (NOCASE index) or GLOB
// (binary index), which SQLite turns into an index range; created_at ranges and the default
// order (created_at, then insertion) use users_by_created, so an unfiltered page stops after
// its rows. Case-insensitive eq/in on $tv.id and $tv.status compare with the stored case
// (ids are lower-case, statuses upper-case ASCII) so the primary key and users_by_status
// serve them. Attribute filters read the attributes JSON with json_each (every top-level key
// is searchable, whatever characters it holds) and cannot use an index.

#include <algorithm>
#include <cctype>
#include <variant>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/sqlite.hpp"
#include "mock_truevault/store/rows.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {
namespace {

using Param = std::variant<std::int64_t, double, std::string>;

// Up to this many matches the page is taken by sorting them rather than by walking the
// created_at index in order (see search_users).
constexpr std::int64_t kSortMatchesUpTo = 2000;

// SQL text with numbered parameters (?1, ?2, ...) and their values.
struct Sql {
  std::vector<Param> params;
  std::string add(Param p) {
    params.push_back(std::move(p));
    return "?" + std::to_string(params.size());
  }
};

std::string ascii_case(std::string s, bool upper) {
  std::transform(s.begin(), s.end(), s.begin(), [upper](unsigned char c) {
    return static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
  });
  return s;
}

// A scalar operand as a JSON value (for a json_each list) or a bound parameter.
nlohmann::json json_of(const SearchValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* t = std::get_if<common::TimePoint>(&v)) return rows::to_ms(*t);
  return nullptr;  // bool and null are matched by JSON type, never listed
}
Param param_of(const SearchValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* t = std::get_if<common::TimePoint>(&v)) return rows::to_ms(*t);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  return std::int64_t{0};  // unreachable: bounds are text, numbers or instants
}

// `*` is the only wildcard: as a GLOB pattern (case-sensitive) or a LIKE pattern with '\'
// escapes (ASCII case-insensitive).
std::string glob_pattern(const std::string& wildcard) {
  std::string out;
  for (char c : wildcard) {
    if (c == '[') {
      out += "[[]";
    } else if (c == '?') {
      out += "[?]";
    } else {
      out += c;
    }
  }
  return out;
}
std::string like_pattern(const std::string& wildcard) {
  std::string out;
  for (char c : wildcard) {
    if (c == '\\' || c == '%' || c == '_') {
      out += '\\';
      out += c;
    } else if (c == '*') {
      out += '%';
    } else {
      out += c;
    }
  }
  return out;
}

const char* column_of(SearchField f) {
  switch (f) {
    case SearchField::kUsername:
      return "username";
    case SearchField::kCreatedAt:
      return "created_at_ms";
    case SearchField::kStatus:
      return "status";
    case SearchField::kId:
      return "id";
    case SearchField::kAttribute:
      break;
  }
  return "NULL";
}

std::string range_sql(const SearchFilter& f, const std::string& operand, const std::string& nocase,
                      Sql& sql) {
  std::string out;
  const std::pair<const std::optional<SearchValue>*, const char*> bounds[] = {
      {&f.gt, ">"}, {&f.gte, ">="}, {&f.lt, "<"}, {&f.lte, "<="}};
  for (const auto& [b, op] : bounds) {
    if (!*b) continue;
    if (!out.empty()) out += " AND ";
    out += operand + nocase + " " + op + " " + sql.add(param_of(**b));
  }
  return out;
}

// The positive condition of a filter on a column (the caller negates not / not_in).
std::string column_condition(const SearchFilter& f, Sql& sql) {
  const std::string col = column_of(f.field);
  const bool text = f.field != SearchField::kCreatedAt;
  const bool fold = text && !f.case_sensitive;
  switch (f.type) {
    case FilterType::kEq:
    case FilterType::kIn:
    case FilterType::kNot:
    case FilterType::kNotIn: {
      if (f.values.empty()) return "0";
      nlohmann::json list = nlohmann::json::array();
      // Stored ids are lower-case and statuses upper-case ASCII: comparing with the stored
      // case is the same test as NOCASE, and keeps the index usable.
      const bool exact_case = f.field == SearchField::kId || f.field == SearchField::kStatus;
      for (const auto& v : f.values) {
        nlohmann::json j = json_of(v);
        if (fold && exact_case)
          j = ascii_case(j.get<std::string>(), f.field == SearchField::kStatus);
        list.push_back(std::move(j));
      }
      return col + (fold && !exact_case ? " COLLATE NOCASE" : "") +
             " IN (SELECT value FROM json_each(" + sql.add(list.dump()) + "))";
    }
    case FilterType::kWildcard: {
      const auto& w = std::get<std::string>(f.values.front());
      if (f.case_sensitive) return col + " GLOB " + sql.add(glob_pattern(w));
      return col + " LIKE " + sql.add(like_pattern(w)) + " ESCAPE '\\'";
    }
    case FilterType::kRange:
      return range_sql(f, col, fold ? " COLLATE NOCASE" : "", sql);
  }
  return "0";
}

// The positive condition of a filter on an attribute, about the json_each row `a` whose key
// is the attribute (the caller wraps it in EXISTS and negates not / not_in).
std::string attribute_condition(const SearchFilter& f, Sql& sql) {
  const std::string nocase = f.case_sensitive ? "" : " COLLATE NOCASE";
  switch (f.type) {
    case FilterType::kEq:
    case FilterType::kIn:
    case FilterType::kNot:
    case FilterType::kNotIn: {
      std::vector<std::string> parts;
      nlohmann::json list = nlohmann::json::array();
      bool want_true = false;
      bool want_false = false;
      bool want_null = false;
      for (const auto& v : f.values) {
        if (const auto* b = std::get_if<bool>(&v)) {
          (*b ? want_true : want_false) = true;
        } else if (std::holds_alternative<std::nullptr_t>(v)) {
          want_null = true;
        } else {
          list.push_back(json_of(v));
        }
      }
      // Text and numbers by value, within their JSON type (json_each gives true as 1).
      if (!list.empty()) {
        parts.push_back("(a.type IN ('text', 'integer', 'real') AND a.value" + nocase +
                        " IN (SELECT value FROM json_each(" + sql.add(list.dump()) + ")))");
      }
      if (want_true) parts.emplace_back("a.type = 'true'");
      if (want_false) parts.emplace_back("a.type = 'false'");
      if (want_null) parts.emplace_back("a.type = 'null'");
      if (parts.empty()) return "0";
      std::string out;
      for (const auto& p : parts) out += (out.empty() ? "" : " OR ") + p;
      return "(" + out + ")";
    }
    case FilterType::kWildcard: {
      const auto& w = std::get<std::string>(f.values.front());
      if (f.case_sensitive) return "a.type = 'text' AND a.value GLOB " + sql.add(glob_pattern(w));
      return "a.type = 'text' AND a.value LIKE " + sql.add(like_pattern(w)) + " ESCAPE '\\'";
    }
    case FilterType::kRange: {
      const auto& any = f.gt ? *f.gt : f.gte ? *f.gte : f.lt ? *f.lt : *f.lte;
      const bool text = std::holds_alternative<std::string>(any);
      return std::string(text ? "a.type = 'text'" : "a.type IN ('integer', 'real')") + " AND " +
             range_sql(f, "a.value", text ? nocase : "", sql);
    }
  }
  return "0";
}

bool negated(FilterType t) { return t == FilterType::kNot || t == FilterType::kNotIn; }

std::string filter_sql(const SearchFilter& f, Sql& sql) {
  std::string positive;
  if (f.field == SearchField::kAttribute) {
    const std::string key = sql.add(f.attribute);
    positive = "EXISTS (SELECT 1 FROM json_each(users.attributes) AS a WHERE a.key = " + key +
               " AND " + attribute_condition(f, sql) + ")";
  } else {
    positive = "(" + column_condition(f, sql) + ")";
  }
  return negated(f.type) ? "NOT " + positive : positive;
}

// The ORDER BY terms; column names carry a '@' that the caller turns into '+' (no index for
// the order: sort the matches) or removes (walk an index in order).
std::string order_sql(const SearchQuery& q, Sql& sql) {
  std::string out;
  for (const auto& k : q.sort) {
    std::string expr = std::string("@") + column_of(k.field);
    if (k.field == SearchField::kAttribute) {
      expr = "(SELECT a.value FROM json_each(users.attributes) AS a WHERE a.key = " +
             sql.add(k.attribute) + ")";
    }
    out += expr + (k.descending ? " DESC" : " ASC") + " NULLS LAST, ";
  }
  return out + "@created_at_ms, @rowid";
}

std::string with_order_mark(std::string order, const char* mark) {
  for (auto at = order.find('@'); at != std::string::npos; at = order.find('@', at)) {
    order.replace(at, 1, mark);
  }
  return order;
}

void bind_all(SQLite::Statement& st, const std::vector<Param>& params, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const int index = static_cast<int>(i + 1);
    std::visit([&](const auto& v) { st.bind(index, v); }, params[i]);
  }
}

}  // namespace

SearchRows Store::search_users(const std::string& account_id, const SearchQuery& query) {
  Sql sql;
  // With an id list that every match must be in, the primary key finds the rows; SQLite
  // would otherwise prefer an (account_id, ...) index for an IN (subquery) and read the whole
  // account. A unary + keeps it from using account_id for an index.
  const bool by_id =
      (query.match_all || query.filters.size() == 1) &&
      std::any_of(query.filters.begin(), query.filters.end(), [](const SearchFilter& f) {
        return f.field == SearchField::kId &&
               (f.type == FilterType::kEq || f.type == FilterType::kIn);
      });
  std::string where = (by_id ? "+account_id = " : "account_id = ") + sql.add(account_id);
  if (!query.filters.empty()) {
    std::string any;
    for (const auto& f : query.filters) {
      any += (any.empty() ? "" : (query.match_all ? " AND " : " OR ")) + filter_sql(f, sql);
    }
    where += " AND (" + any + ")";
  }
  const std::size_t where_params = sql.params.size();
  const std::string order = order_sql(query, sql);
  const std::int64_t offset = (query.page - 1) * query.per_page;
  const bool attribute_filter =
      std::any_of(query.filters.begin(), query.filters.end(),
                  [](const SearchFilter& f) { return f.field == SearchField::kAttribute; });
  return db_->with([&](common::Conn& c) {
    SearchRows out;
    {
      SQLite::Statement count(c.db, "SELECT COUNT(*) FROM users WHERE " + where);
      bind_all(count, sql.params, where_params);
      if (count.executeStep()) out.total = count.getColumn(0).getInt64();
    }
    if (offset >= out.total) return out;
    // Without statistics SQLite walks users_by_created in order and tests every row, which
    // stops early when matches are common but reads the whole account for a selective filter
    // that has an index of its own (an id, a username, a rare status). A few matches (known
    // from the count) are found through that index and sorted instead. Attribute filters have
    // no index: the ordered walk is never worse for them.
    const bool sort_matches = out.total <= kSortMatchesUpTo && !attribute_filter;
    const std::string page_sql =
        std::string("SELECT id") + (query.full_document ? ", attributes" : "") +
        " FROM users WHERE " + where + " ORDER BY " +
        with_order_mark(order, sort_matches ? "+" : "") + " LIMIT " +
        std::to_string(query.per_page) + " OFFSET " + std::to_string(offset);
    SQLite::Statement page(c.db, page_sql);
    bind_all(page, sql.params, sql.params.size());
    while (page.executeStep()) {
      SearchHit hit;
      hit.id = page.getColumn(0).getString();
      if (query.full_document) {
        auto attributes = nlohmann::json::parse(page.getColumn(1).getString(), nullptr, false);
        hit.attributes = attributes.is_discarded() ? nlohmann::json::object() : attributes;
      }
      out.hits.push_back(std::move(hit));
    }
    return out;
  });
}

}  // namespace mock::truevault
