#include "mock_truevault/domain/search.hpp"

#include <limits>

#include <fmt/format.h>

namespace mock::truevault {
namespace {

constexpr std::int64_t kMaxPage = 1000000000;  // keeps (page - 1) * per_page far inside int64
constexpr const char* kDateExample = "a date such as 2017-01-01 or 2017-01-01T00:00:00.000Z";

ApiError invalid(const std::string& why) { return errors::invalid_parameter("search_option", why); }

// The field a filter or sort key names; 400 for an unknown $tv. field or an empty name.
common::Result<SearchField, ApiError> field_of(const std::string& name) {
  if (name.empty()) return common::fail(invalid("field names must not be empty"));
  if (name == "$tv.username") return SearchField::kUsername;
  if (name == "$tv.created_at") return SearchField::kCreatedAt;
  if (name == "$tv.status") return SearchField::kStatus;
  if (name == "$tv.id") return SearchField::kId;
  if (name.starts_with("$tv.")) {
    return common::fail(invalid(fmt::format(
        "unknown field '{}' (system fields: $tv.username, $tv.created_at, $tv.status, $tv.id)",
        name)));
  }
  return SearchField::kAttribute;
}

std::optional<FilterType> filter_type_of(std::string_view text) {
  if (text == "eq") return FilterType::kEq;
  if (text == "in") return FilterType::kIn;
  if (text == "not") return FilterType::kNot;
  if (text == "not_in") return FilterType::kNotIn;
  if (text == "wildcard") return FilterType::kWildcard;
  if (text == "range") return FilterType::kRange;
  return std::nullopt;
}

bool is_text_field(SearchField f) {
  return f == SearchField::kUsername || f == SearchField::kStatus || f == SearchField::kId;
}

// An integer in [low, high] (JSON integers only: 1.0 and "1" are refused).
std::optional<std::int64_t> integer_in(const nlohmann::json& v, std::int64_t low,
                                       std::int64_t high) {
  std::int64_t n = 0;
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(high)) return std::nullopt;
    n = static_cast<std::int64_t>(v.get<std::uint64_t>());
  } else if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (n < low || n > high) return std::nullopt;
  return n;
}

// One operand of an eq / in / not / not_in filter on `field`; `where` names it in errors.
common::Result<SearchValue, ApiError> operand(const nlohmann::json& v, SearchField field,
                                              const std::string& where,
                                              const TimeParser& parse_time) {
  if (field == SearchField::kCreatedAt) {
    std::optional<common::TimePoint> t;
    if (v.is_string()) t = parse_time(v.get<std::string>());
    if (!t) return common::fail(invalid(fmt::format("{} must be {}", where, kDateExample)));
    return SearchValue(*t);
  }
  if (v.is_string()) return SearchValue(v.get<std::string>());
  if (is_text_field(field)) return common::fail(invalid(where + " must be a string"));
  if (v.is_boolean()) return SearchValue(v.get<bool>());
  if (v.is_null()) return SearchValue(nullptr);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return SearchValue(static_cast<std::int64_t>(u));
    }
    return SearchValue(static_cast<double>(u));
  }
  if (v.is_number_integer()) return SearchValue(v.get<std::int64_t>());
  if (v.is_number_float()) return SearchValue(v.get<double>());
  return common::fail(invalid(where + " must be a string, number, boolean or null"));
}

// A range bound: text for text fields, an instant for $tv.created_at, text or a number for
// attributes.
common::Result<SearchValue, ApiError> bound(const nlohmann::json& v, SearchField field,
                                            const std::string& where,
                                            const TimeParser& parse_time) {
  if (field == SearchField::kAttribute && !v.is_string() && !v.is_number()) {
    return common::fail(invalid(where + " must be a string or a number"));
  }
  return operand(v, field, where, parse_time);
}

common::Result<void, ApiError> parse_range(const nlohmann::json& value, const std::string& name,
                                           SearchFilter& f, const TimeParser& parse_time) {
  if (!value.is_object()) {
    return common::fail(invalid(
        fmt::format("filter '{}': a range value must be an object with gt, gte, lt or lte", name)));
  }
  if (value.empty()) {
    return common::fail(
        invalid(fmt::format("filter '{}': a range needs at least one of gt, gte, lt, lte", name)));
  }
  int numbers = 0;
  int texts = 0;
  for (const auto& [key, v] : value.items()) {
    std::optional<SearchValue>* slot = nullptr;
    if (key == "gt") slot = &f.gt;
    if (key == "gte") slot = &f.gte;
    if (key == "lt") slot = &f.lt;
    if (key == "lte") slot = &f.lte;
    if (slot == nullptr) {
      return common::fail(invalid(fmt::format(
          "filter '{}': unknown range bound '{}' (expected gt, gte, lt, lte)", name, key)));
    }
    auto b = bound(v, f.field, fmt::format("filter '{}': range bound {}", name, key), parse_time);
    if (!b) return common::fail(b.error());
    (std::holds_alternative<std::string>(*b) ? texts : numbers) += 1;
    *slot = std::move(*b);
  }
  if (numbers > 0 && texts > 0) {
    return common::fail(
        invalid(fmt::format("filter '{}': range bounds must be all numbers or all strings", name)));
  }
  return {};
}

common::Result<SearchFilter, ApiError> parse_filter(const std::string& name,
                                                    const nlohmann::json& spec,
                                                    const TimeParser& parse_time) {
  SearchFilter f;
  auto field = field_of(name);
  if (!field) return common::fail(field.error());
  f.field = *field;
  if (f.field == SearchField::kAttribute) f.attribute = name;
  if (!spec.is_object()) {
    return common::fail(invalid(fmt::format(
        "filter '{}' must be an object such as {{\"type\": \"eq\", \"value\": ...}}", name)));
  }
  for (const auto& [key, v] : spec.items()) {
    if (key != "type" && key != "value" && key != "case_sensitive") {
      return common::fail(invalid(fmt::format(
          "filter '{}': unknown key '{}' (expected type, value, case_sensitive)", name, key)));
    }
  }
  const auto type = spec.find("type");
  if (type == spec.end())
    return common::fail(invalid(fmt::format("filter '{}': missing type", name)));
  auto parsed = type->is_string() ? filter_type_of(type->get<std::string>()) : std::nullopt;
  if (!parsed) {
    return common::fail(invalid(fmt::format(
        "filter '{}': unknown type {} (expected eq, in, not, not_in, wildcard or range)", name,
        type->dump())));
  }
  f.type = *parsed;
  if (const auto cs = spec.find("case_sensitive"); cs != spec.end()) {
    if (!cs->is_boolean()) {
      return common::fail(
          invalid(fmt::format("filter '{}': case_sensitive must be true or false", name)));
    }
    f.case_sensitive = cs->get<bool>();
  }
  const auto value = spec.find("value");
  if (value == spec.end()) {
    return common::fail(invalid(fmt::format("filter '{}': missing value", name)));
  }
  switch (f.type) {
    case FilterType::kEq:
    case FilterType::kNot: {
      auto v = operand(*value, f.field, fmt::format("filter '{}': value", name), parse_time);
      if (!v) return common::fail(v.error());
      f.values.push_back(std::move(*v));
      break;
    }
    case FilterType::kIn:
    case FilterType::kNotIn: {
      if (!value->is_array()) {
        return common::fail(invalid(fmt::format("filter '{}': value must be an array", name)));
      }
      for (std::size_t i = 0; i < value->size(); ++i) {
        auto v = operand((*value)[i], f.field, fmt::format("filter '{}': value[{}]", name, i),
                         parse_time);
        if (!v) return common::fail(v.error());
        f.values.push_back(std::move(*v));
      }
      break;
    }
    case FilterType::kWildcard:
      if (f.field == SearchField::kCreatedAt) {
        return common::fail(invalid(
            fmt::format("filter '{}': wildcard applies to text fields only (use range)", name)));
      }
      if (!value->is_string()) {
        return common::fail(
            invalid(fmt::format("filter '{}': a wildcard value must be a string", name)));
      }
      f.values.emplace_back(value->get<std::string>());
      break;
    case FilterType::kRange:
      if (auto ok = parse_range(*value, name, f, parse_time); !ok) return common::fail(ok.error());
      break;
  }
  return f;
}

common::Result<void, ApiError> parse_sort(const nlohmann::json& sort, SearchQuery& q) {
  const std::string shape = "sort must be an array of {\"field\": \"asc\" | \"desc\"} objects";
  if (!sort.is_array()) return common::fail(invalid(shape));
  if (sort.size() > kMaxSortKeys) {
    return common::fail(invalid(fmt::format("sort has more than {} keys", kMaxSortKeys)));
  }
  for (const auto& entry : sort) {
    if (!entry.is_object() || entry.size() != 1) return common::fail(invalid(shape));
    const auto only = entry.begin();  // an object of one key
    const std::string& name = only.key();
    const nlohmann::json& direction = only.value();
    auto field = field_of(name);
    if (!field) return common::fail(field.error());
    if (!direction.is_string() ||
        (direction.get<std::string>() != "asc" && direction.get<std::string>() != "desc")) {
      return common::fail(
          invalid(fmt::format("sort '{}': direction must be \"asc\" or \"desc\"", name)));
    }
    q.sort.push_back({*field, *field == SearchField::kAttribute ? name : std::string(),
                      direction.get<std::string>() == "desc"});
  }
  return {};
}

}  // namespace

common::Result<SearchQuery, ApiError> parse_search_option(const nlohmann::json& option,
                                                          const TimeParser& parse_time) {
  if (!option.is_object()) return common::fail(invalid("must be a JSON object"));
  SearchQuery q;
  for (const auto& [key, value] : option.items()) {
    if (key == "filter") {
      if (!value.is_object()) {
        return common::fail(
            invalid("filter must be an object of {\"field\": {\"type\": ..., \"value\": ...}}"));
      }
      if (value.size() > kMaxSearchFilters) {
        return common::fail(
            invalid(fmt::format("filter has more than {} fields", kMaxSearchFilters)));
      }
      for (const auto& [name, spec] : value.items()) {
        auto f = parse_filter(name, spec, parse_time);
        if (!f) return common::fail(f.error());
        q.filters.push_back(std::move(*f));
      }
    } else if (key == "filter_type") {
      if (value != "or" && value != "and") {
        return common::fail(invalid("filter_type must be \"or\" or \"and\""));
      }
      q.match_all = value == "and";
    } else if (key == "full_document") {
      if (!value.is_boolean()) return common::fail(invalid("full_document must be true or false"));
      q.full_document = value.get<bool>();
    } else if (key == "page") {
      auto page = integer_in(value, 1, kMaxPage);
      if (!page) {
        return common::fail(invalid(fmt::format("page must be an integer from 1 to {}", kMaxPage)));
      }
      q.page = *page;
    } else if (key == "per_page") {
      auto per_page = integer_in(value, 1, kMaxPerPage);
      if (!per_page) {
        return common::fail(
            invalid(fmt::format("per_page must be an integer from 1 to {}", kMaxPerPage)));
      }
      q.per_page = *per_page;
    } else if (key == "sort") {
      if (auto ok = parse_sort(value, q); !ok) return common::fail(ok.error());
    } else if (key != "schema_id") {  // documents only; user search has one implied schema
      return common::fail(invalid(
          fmt::format("unknown key '{}' (expected filter, filter_type, full_document, page, "
                      "per_page, sort)",
                      key)));
    }
  }
  return q;
}

SearchPage page_of(const SearchQuery& query, SearchRows rows) {
  SearchPage p;
  p.documents = std::move(rows.hits);
  p.per_page = query.per_page;
  p.total_result_count = rows.total;
  p.num_pages = (rows.total + query.per_page - 1) / query.per_page;
  p.current_page = rows.total == 0 ? 0 : query.page;
  return p;
}

}  // namespace mock::truevault
