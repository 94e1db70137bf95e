// Store: groups and membership.
#include "mock_truevault/store/rows.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {

using namespace rows;

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
  auto policies = cached(policies_by_user_, user_id, [&] {
    return std::optional(db_->with([&](common::Conn& c) {
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
    }));
  });
  return std::move(*policies);
}

void Store::insert_group(const Group& group) {
  const Invalidate invalidate(*this);
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    insert_group_row(c, group);
    add_members_locked(c, group.id, group.user_ids);
    tx.commit();
  });
}

void Store::update_group(const Group& group) {
  const Invalidate invalidate(*this);
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("UPDATE tv_groups SET name = ?, policy = ? WHERE id = ?");
    st.bind(1, group.name);
    st.bind(2, group.policy.dump());
    st.bind(3, group.id);
    st.exec();
  });
}

void Store::delete_group(const std::string& id) {
  const Invalidate invalidate(*this);
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
  const Invalidate invalidate(*this);
  db_->with([&](common::Conn& c) {
    SQLite::Transaction tx(c.db);
    add_members_locked(c, group_id, user_ids);
    tx.commit();
  });
}

void Store::remove_members(const std::string& group_id, const std::vector<std::string>& user_ids) {
  const Invalidate invalidate(*this);
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
  const Invalidate invalidate(*this);
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
  const Invalidate invalidate(*this);
  db_->with([&](common::Conn& c) {
    auto& st = c.prepare("DELETE FROM group_members WHERE user_id = ?");
    st.bind(1, user_id);
    st.exec();
  });
}

}  // namespace mock::truevault
