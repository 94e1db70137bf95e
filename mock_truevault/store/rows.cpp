#include "mock_truevault/store/rows.hpp"

namespace mock::truevault::rows {

User read_user_row(SQLite::Statement& st) {
  User u;
  u.id = st.getColumn(0).getString();
  u.account_id = st.getColumn(1).getString();
  u.username = st.getColumn(2).getString();
  u.password_hash = opt_text(st.getColumn(3));
  u.status = parse_user_status(st.getColumn(4).getString()).value_or(UserStatus::kActivated);
  u.attributes = nlohmann::json::parse(st.getColumn(5).getString(), nullptr, false);
  if (u.attributes.is_discarded()) u.attributes = nlohmann::json::object();
  u.api_key = opt_text(st.getColumn(6));
  u.mfa_enrolled = st.getColumn(7).getInt() != 0;
  u.created_at = from_ms(st.getColumn(8).getInt64());
  return u;
}

void fill_group_ids(common::Conn& c, User& u) {
  auto& st = c.prepare("SELECT group_id FROM group_members WHERE user_id = ? ORDER BY seq");
  st.bind(1, u.id);
  while (st.executeStep()) u.group_ids.push_back(st.getColumn(0).getString());
}

void fill_user_ids(common::Conn& c, Group& g) {
  auto& st = c.prepare("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY seq");
  st.bind(1, g.id);
  while (st.executeStep()) g.user_ids.push_back(st.getColumn(0).getString());
}

std::optional<User> one_user(common::Conn& c, const std::string& sql, const std::string& a,
                             const std::optional<std::string>& b) {
  std::optional<User> out;
  {
    auto& st = c.prepare(sql);
    st.bind(1, a);
    if (b) st.bind(2, *b);
    if (st.executeStep()) out = read_user_row(st);
  }
  if (out) fill_group_ids(c, *out);
  return out;
}

Group read_group_row(SQLite::Statement& st) {
  Group g;
  g.id = st.getColumn(0).getString();
  g.account_id = st.getColumn(1).getString();
  g.name = st.getColumn(2).getString();
  g.policy = nlohmann::json::parse(st.getColumn(3).getString(), nullptr, false);
  if (g.policy.is_discarded()) g.policy = nlohmann::json::array();
  return g;
}

void insert_user_row(common::Conn& c, const User& u) {
  auto& st = c.prepare(
      "INSERT INTO users (id, account_id, username, password_hash, status, attributes, api_key, "
      "mfa_enrolled, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, u.id);
  st.bind(2, u.account_id);
  st.bind(3, u.username);
  bind_opt(st, 4, u.password_hash);
  st.bind(5, to_string(u.status));
  st.bind(6, u.attributes.dump());
  bind_opt(st, 7, u.api_key);
  st.bind(8, u.mfa_enrolled ? 1 : 0);
  st.bind(9, to_ms(u.created_at));
  st.exec();
}

void insert_group_row(common::Conn& c, const Group& g) {
  auto& st = c.prepare("INSERT INTO tv_groups (id, account_id, name, policy) VALUES (?, ?, ?, ?)");
  st.bind(1, g.id);
  st.bind(2, g.account_id);
  st.bind(3, g.name);
  st.bind(4, g.policy.dump());
  st.exec();
}

void add_members_locked(common::Conn& c, const std::string& group_id,
                        const std::vector<std::string>& user_ids) {
  for (const auto& uid : user_ids) {
    auto& st = c.prepare("INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)");
    st.bind(1, group_id);
    st.bind(2, uid);
    st.exec();
  }
}

nlohmann::json dump_table(common::Conn& c, const std::string& sql) {
  nlohmann::json rows = nlohmann::json::array();
  SQLite::Statement st(c.db, sql);
  while (st.executeStep()) {
    nlohmann::json row = nlohmann::json::object();
    for (int i = 0; i < st.getColumnCount(); ++i) {
      const auto col = st.getColumn(i);
      const std::string name = col.getName();
      if (col.isNull()) {
        row[name] = nullptr;
      } else if (col.isInteger()) {
        row[name] = col.getInt64();
      } else {
        row[name] = col.getString();
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace mock::truevault::rows
