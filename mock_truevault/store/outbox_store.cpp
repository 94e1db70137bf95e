// Store: the Messaging-API outbox.
#include "mock_truevault/store/rows.hpp"
#include "mock_truevault/store/store.hpp"

namespace mock::truevault {

using namespace rows;

namespace {

void insert_outbox_row(common::Conn& c, const OutboxEntry& e) {
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
}

}  // namespace

void Store::insert_outbox(const OutboxEntry& e) {
  if (!db_->in_memory()) {
    db_->with([&](common::Conn& c) { insert_outbox_row(c, e); });
    return;
  }
  {
    const std::lock_guard lock(outbox_mutex_);
    outbox_queue_.push_back(e);
    if (outbox_queue_.size() < kOutboxBatch) return;
  }
  db_->with([this](common::Conn& c) { write_outbox_locked(c); });
}

std::size_t Store::queued_outbox() {
  const std::lock_guard lock(outbox_mutex_);
  return outbox_queue_.size();
}

void Store::write_outbox_locked(common::Conn& c) {
  std::vector<OutboxEntry> entries;
  {
    const std::lock_guard lock(outbox_mutex_);
    entries.swap(outbox_queue_);
  }
  if (entries.empty()) return;
  SQLite::Transaction tx(c.db);
  for (const auto& e : entries) insert_outbox_row(c, e);
  tx.commit();
}

std::vector<OutboxEntry> Store::list_outbox() {
  return db_->with([&](common::Conn& c) {
    write_outbox_locked(c);
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
  db_->with([&](common::Conn& c) {
    write_outbox_locked(c);  // written, then deleted: seq goes on as if each had been written
    c.db.exec("DELETE FROM sms_outbox");
  });
}

}  // namespace mock::truevault
