#pragma once
// Row <-> struct helpers shared by the store's .cpp files (store/ only: SQLiteCpp inside).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "common/sqlite.hpp"
#include "mock_truevault/domain/model.hpp"

namespace mock::truevault::rows {

inline std::int64_t to_ms(common::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline common::TimePoint from_ms(std::int64_t ms) {
  return common::TimePoint(std::chrono::milliseconds(ms));
}

inline std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

template <class T>
void bind_opt(SQLite::Statement& st, int index, const std::optional<T>& v) {
  if (v) {
    st.bind(index, *v);
  } else {
    st.bind(index);
  }
}

inline constexpr const char* kUserColumns =
    "id, account_id, username, password_hash, status, attributes, api_key, mfa_enrolled, "
    "created_at_ms";

User read_user_row(SQLite::Statement& st);
void fill_group_ids(common::Conn& c, User& u);
void fill_user_ids(common::Conn& c, Group& g);
// The first user `sql` (binding a, then b when given) selects, with its group ids.
std::optional<User> one_user(common::Conn& c, const std::string& sql, const std::string& a,
                             const std::optional<std::string>& b = std::nullopt);
Group read_group_row(SQLite::Statement& st);
void insert_user_row(common::Conn& c, const User& u);
void insert_group_row(common::Conn& c, const Group& g);
void add_members_locked(common::Conn& c, const std::string& group_id,
                        const std::vector<std::string>& user_ids);
// Every row of `sql` as a JSON object per row.
nlohmann::json dump_table(common::Conn& c, const std::string& sql);

}  // namespace mock::truevault::rows
