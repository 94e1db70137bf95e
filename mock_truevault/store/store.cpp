#include "mock_truevault/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/crypto.hpp"
#include "common/sqlite.hpp"

namespace mock::truevault {
namespace store {
extern const std::string_view kSchemaSql;
}  // namespace store

namespace {

std::int64_t to_ms(common::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
common::TimePoint from_ms(std::int64_t ms) {
  return common::TimePoint(std::chrono::milliseconds(ms));
}

std::optional<std::string> opt_text(const SQLite::Column& c) {
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

constexpr const char* kUserColumns =
    "id, account_id, username, password_hash, status, attributes, api_key, mfa_enrolled";

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
                             const std::optional<std::string>& b = std::nullopt) {
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
      "mfa_enrolled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, u.id);
  st.bind(2, u.account_id);
  st.bind(3, u.username);
  bind_opt(st, 4, u.password_hash);
  st.bind(5, to_string(u.status));
  st.bind(6, u.attributes.dump());
  bind_opt(st, 7, u.api_key);
  st.bind(8, u.mfa_enrolled ? 1 : 0);
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

}  // namespace

common::Result<std::unique_ptr<Store>, std::string> Store::open(const std::string& path) {
  auto db = common::Sqlite::open(path, store::kSchemaSql, kSchemaVersion);
  if (!db) return common::fail(db.error());
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Store::Store(std::unique_ptr<common::Sqlite> db) : db_(std::move(db)) {}
Store::~Store() = default;

bool Store::fresh() const { return db_->fresh(); }

void Store::replace_all(const FixtureData& data) {
  db_->rebuild([&](common::Conn& c) {
    for (const auto& a : data.accounts) {
      auto& st = c.prepare("INSERT INTO accounts (id, name) VALUES (?, ?)");
      st.bind(1, a.id);
      st.bind(2, a.name);
      st.exec();
    }
    for (const auto& fu : data.users) {
      User u = fu.user;
      if (fu.password) u.password_hash = common::sha256_hex(*fu.password);
      insert_user_row(c, u);
    }
    for (const auto& g : data.groups) {
      insert_group_row(c, g);
      add_members_locked(c, g.id, g.user_ids);
    }
  });
}

nlohmann::json Store::dump() {
  return db_->with([](common::Conn& c) {
    return nlohmann::json{
        {"accounts", dump_table(c, "SELECT id, name FROM accounts ORDER BY rowid")},
        {"users", dump_table(c,
                             "SELECT id, account_id, username, password_hash IS NOT NULL AS "
                             "has_password, status, attributes, api_key, mfa_enrolled FROM users "
                             "ORDER BY rowid")},
        {"groups",
         dump_table(c, "SELECT id, account_id, name, policy FROM tv_groups ORDER BY rowid")},
        {"group_members",
         dump_table(c, "SELECT group_id, user_id FROM group_members ORDER BY seq")},
        {"access_tokens", dump_table(c,
                                     "SELECT token, user_id, not_valid_after_ms, revoked FROM "
                                     "access_tokens ORDER BY rowid")},
        {"sms_outbox", dump_table(c, "SELECT * FROM sms_outbox ORDER BY seq")},
    };
  });
}

void Store::export_to(const std::string& path) { db_->export_to(path); }

bool Store::account_exists(const std::string& id) {
  return db_->with([&](common::Conn& c) {
    auto& st = c.prepare("SELECT 1 FROM accounts WHERE id = ?");
    st.bind(1, id);
    return st.executeStep();
  });
}

std::optional<User> Store::find_user(const std::string& id) {
  return db_->with([&](common::Conn& c) {
    return one_user(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", id);
  });
}

std::optional<User> Store::find_user_by_api_key(const std::string& key) {
  return db_->with([&](common::Conn& c) {
    return one_user(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE api_key = ?",
                    key);
  });
}

std::optional<User> Store::find_live_user_by_username(const std::string& account_id,
                                                      const std::string& username) {
  return db_->with([&](common::Conn& c) {
    return one_user(c,
                    std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE account_id = ? AND username = ? AND status != "
                        "'DEACTIVATED'",
                    account_id, username);
  });
}

std::vector<User> Store::list_users(const std::string& account_id,
                                    std::optional<UserStatus> status) {
  return db_->with([&](common::Conn& c) {
    std::vector<User> out;
    {
      auto& st = c.prepare(std::string("SELECT ") + kUserColumns +
                           " FROM users WHERE account_id = ?1 AND (CASE WHEN ?2 IS NULL THEN "
                           "status != 'DEACTIVATED' ELSE status = ?2 END) ORDER BY rowid");
      st.bind(1, account_id);
      if (status) {
        st.bind(2, to_string(*status));
      } else {
        st.bind(2);
      }
      while (st.executeStep()) out.push_back(read_user_row(st));
    }
    for (auto& u : out) fill_group_ids(c, u);
    return out;
  });
}

void Store::insert_user(const User& user) {
  db_->with([&](common::Conn& c) { insert_user_row(c, user); });
}

void Store::update_user(const User& user) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare(
        "UPDATE users SET username = ?, password_hash = ?, status = ?, attributes = ?, "
        "api_key = ?, mfa_enrolled = ? WHERE id = ?");
    st.bind(1, user.username);
    bind_opt(st, 2, user.password_hash);
    st.bind(3, to_string(user.status));
    st.bind(4, user.attributes.dump());
    bind_opt(st, 5, user.api_key);
    st.bind(6, user.mfa_enrolled ? 1 : 0);
    st.bind(7, user.id);
    st.exec();
  });
}

void Store::insert_token(const AccessToken& token) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare(
        "INSERT INTO access_tokens (token, user_id, not_valid_after_ms, revoked) VALUES (?, ?, "
        "?, ?)");
    st.bind(1, token.token);
    st.bind(2, token.user_id);
    st.bind(3, to_ms(token.not_valid_after));
    st.bind(4, token.revoked ? 1 : 0);
    st.exec();
  });
}

std::optional<AccessToken> Store::find_token(const std::string& token) {
  return db_->with([&](common::Conn& c) -> std::optional<AccessToken> {
    auto& st = c.prepare(
        "SELECT token, user_id, not_valid_after_ms, revoked FROM access_tokens WHERE token = ?");
    st.bind(1, token);
    if (!st.executeStep()) return std::nullopt;
    return AccessToken{st.getColumn(0).getString(), st.getColumn(1).getString(),
                       from_ms(st.getColumn(2).getInt64()), st.getColumn(3).getInt() != 0};
  });
}

void Store::revoke_token(const std::string& token) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("UPDATE access_tokens SET revoked = 1 WHERE token = ?");
    st.bind(1, token);
    st.exec();
  });
}

void Store::revoke_user_tokens(const std::string& user_id) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("UPDATE access_tokens SET revoked = 1 WHERE user_id = ?");
    st.bind(1, user_id);
    st.exec();
  });
}

std::optional<Group> Store::find_group(const std::string& id) {
  return db_->with([&](common::Conn& c) {
    std::optional<Group> out;
    {
      auto& st = c.prepare("SELECT id, account_id, name, policy FROM tv_groups WHERE id = ?");
      st.bind(1, id);
      if (st.executeStep()) out = read_group_row(st);
    }
    if (out) fill_user_ids(c, *out);
    return out;
  });
}

std::optional<Group> Store::find_group_by_name(const std::string& account_id,
                                               const std::string& name) {
  return db_->with([&](common::Conn& c) {
    std::optional<Group> out;
    {
      auto& st = c.prepare(
          "SELECT id, account_id, name, policy FROM tv_groups WHERE account_id = ? AND name = ?");
      st.bind(1, account_id);
      st.bind(2, name);
      if (st.executeStep()) out = read_group_row(st);
    }
    if (out) fill_user_ids(c, *out);
    return out;
  });
}

std::vector<Group> Store::list_groups(const std::string& account_id) {
  return db_->with([&](common::Conn& c) {
    std::vector<Group> out;
    {
      auto& st = c.prepare(
          "SELECT id, account_id, name, policy FROM tv_groups WHERE account_id = ? ORDER BY "
          "rowid");
      st.bind(1, account_id);
      while (st.executeStep()) out.push_back(read_group_row(st));
    }
    for (auto& g : out) fill_user_ids(c, g);
    return out;
  });
}

std::vector<nlohmann::json> Store::policies_of_user(const std::string& user_id) {
  return db_->with([&](common::Conn& c) {
    std::vector<nlohmann::json> out;
    auto& st = c.prepare(
        "SELECT g.policy FROM group_members m JOIN tv_groups g ON g.id = m.group_id WHERE "
        "m.user_id = ? ORDER BY m.seq");
    st.bind(1, user_id);
    while (st.executeStep()) {
      auto p = nlohmann::json::parse(st.getColumn(0).getString(), nullptr, false);
      if (!p.is_discarded()) out.push_back(std::move(p));
    }
    return out;
  });
}

void Store::insert_group(const Group& group) {
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    insert_group_row(c, group);
    add_members_locked(c, group.id, group.user_ids);
    tx.commit();
  });
}

void Store::update_group(const Group& group) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("UPDATE tv_groups SET name = ?, policy = ? WHERE id = ?");
    st.bind(1, group.name);
    st.bind(2, group.policy.dump());
    st.bind(3, group.id);
    st.exec();
  });
}

void Store::delete_group(const std::string& id) {
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    {
      auto& st = c.prepare("DELETE FROM group_members WHERE group_id = ?");
      st.bind(1, id);
      st.exec();
    }
    {
      auto& st = c.prepare("DELETE FROM tv_groups WHERE id = ?");
      st.bind(1, id);
      st.exec();
    }
    tx.commit();
  });
}

void Store::add_members(const std::string& group_id, const std::vector<std::string>& user_ids) {
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    add_members_locked(c, group_id, user_ids);
    tx.commit();
  });
}

void Store::remove_members(const std::string& group_id, const std::vector<std::string>& user_ids) {
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    for (const auto& uid : user_ids) {
      auto& st = c.prepare("DELETE FROM group_members WHERE group_id = ? AND user_id = ?");
      st.bind(1, group_id);
      st.bind(2, uid);
      st.exec();
    }
    tx.commit();
  });
}

void Store::set_members(const std::string& group_id, const std::vector<std::string>& user_ids) {
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    {
      auto& st = c.prepare("DELETE FROM group_members WHERE group_id = ?");
      st.bind(1, group_id);
      st.exec();
    }
    add_members_locked(c, group_id, user_ids);
    tx.commit();
  });
}

void Store::remove_user_from_all_groups(const std::string& user_id) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("DELETE FROM group_members WHERE user_id = ?");
    st.bind(1, user_id);
    st.exec();
  });
}

void Store::insert_outbox(const OutboxEntry& e) {
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare(
        "INSERT INTO sms_outbox (created_at_ms, user_id, provider, account_sid, from_number, "
        "to_number, body, media_urls, provider_message_id, result, error_code, error_message) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, to_ms(e.created_at));
    st.bind(2, e.user_id);
    st.bind(3, e.provider);
    st.bind(4, e.account_sid);
    st.bind(5, e.from);
    st.bind(6, e.to);
    st.bind(7, e.body);
    st.bind(8, nlohmann::json(e.media_urls).dump());
    bind_opt(st, 9, e.provider_message_id);
    st.bind(10, e.result);
    bind_opt(st, 11, e.error_code);
    bind_opt(st, 12, e.error_message);
    st.exec();
  });
}

std::vector<OutboxEntry> Store::list_outbox() {
  return db_->with([&](common::Conn& c) {
    std::vector<OutboxEntry> out;
    auto& st = c.prepare(
        "SELECT seq, created_at_ms, user_id, provider, account_sid, from_number, to_number, "
        "body, media_urls, provider_message_id, result, error_code, error_message FROM "
        "sms_outbox ORDER BY seq");
    while (st.executeStep()) {
      OutboxEntry e;
      e.seq = st.getColumn(0).getInt64();
      e.created_at = from_ms(st.getColumn(1).getInt64());
      e.user_id = st.getColumn(2).getString();
      e.provider = st.getColumn(3).getString();
      e.account_sid = st.getColumn(4).getString();
      e.from = st.getColumn(5).getString();
      e.to = st.getColumn(6).getString();
      e.body = st.getColumn(7).getString();
      auto media = nlohmann::json::parse(st.getColumn(8).getString(), nullptr, false);
      if (media.is_array()) {
        for (const auto& m : media) {
          if (m.is_string()) e.media_urls.push_back(m.get<std::string>());
        }
      }
      e.provider_message_id = opt_text(st.getColumn(9));
      e.result = st.getColumn(10).getString();
      e.error_code = opt_text(st.getColumn(11));
      e.error_message = opt_text(st.getColumn(12));
      out.push_back(std::move(e));
    }
    return out;
  });
}

void Store::clear_outbox() {
  db_->with([&](common::Conn& c) { c.db.exec("DELETE FROM sms_outbox"); });
}

}  // namespace mock::truevault
