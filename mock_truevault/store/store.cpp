#include "mock_truevault/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/crypto.hpp"
#include "common/sqlite.hpp"
#include "mock_truevault/store/rows.hpp"

namespace mock::truevault {
namespace store {
extern const std::string_view kSchemaSql;
}  // namespace store

using namespace rows;

common::Result<std::unique_ptr<Store>, std::string> Store::open(const std::string& path) {
  auto db = common::Sqlite::open(path, store::kSchemaSql, kSchemaVersion, kApplicationId);
  if (!db) return common::fail(db.error());
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Store::Store(std::unique_ptr<common::Sqlite> db) : db_(std::move(db)) {}
Store::~Store() = default;

bool Store::fresh() const { return db_->fresh(); }

void Store::replace_all(const FixtureData& data) {
  const Invalidate invalidate(*this);
  // Queued outbox entries go to the table the rebuild drops (or keeps, when it fails).
  db_->with([this](common::Conn& c) { write_outbox_locked(c); });
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
  return db_->with([this](common::Conn& c) {
    write_outbox_locked(c);
    return nlohmann::json{
        {"accounts", dump_table(c, "SELECT id, name FROM accounts ORDER BY rowid")},
        {"users",
         dump_table(c,
                    "SELECT id, account_id, username, password_hash IS NOT NULL AS "
                    "has_password, status, attributes, api_key, mfa_enrolled, created_at_ms FROM "
                    "users "
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

void Store::export_to(const std::string& path) {
  db_->with([this](common::Conn& c) { write_outbox_locked(c); });
  db_->export_to(path);
}

bool Store::account_exists(const std::string& id) {
  return db_->with([&](common::Conn& c) {
    auto& st = c.prepare("SELECT 1 FROM accounts WHERE id = ?");
    st.bind(1, id);
    return st.executeStep();
  });
}

void Store::clear_cache() {
  std::lock_guard lock(cache_mutex_);
  ++generation_;
  users_by_id_.clear();
  users_by_key_.clear();
  policies_by_user_.clear();
}

std::optional<User> Store::find_user(const std::string& id) {
  return cached(users_by_id_, id, [&] {
    return db_->with([&](common::Conn& c) {
      return one_user(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", id);
    });
  });
}

std::optional<User> Store::find_user_by_api_key(const std::string& key) {
  return cached(users_by_key_, key, [&] {
    return db_->with([&](common::Conn& c) {
      return one_user(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE api_key = ?",
                      key);
    });
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
  const Invalidate invalidate(*this);
  db_->with([&](common::Conn& c) { insert_user_row(c, user); });
}

void Store::update_user(const User& user) {
  const Invalidate invalidate(*this);
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

}  // namespace mock::truevault
