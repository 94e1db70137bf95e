#include "mock_twilio/store/store.hpp"

#include <algorithm>
#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace mock::twilio {
namespace {

using std::chrono::milliseconds;

constexpr const char* kMessageColumns =
    "sid, account_sid, messaging_service_sid, from_number, to_number, body, status, direction, "
    "num_segments, num_media, media_urls, price, price_unit, error_code, error_message, "
    "status_callback, date_created, date_updated, date_sent";

std::int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_ms(std::int64_t ms) { return TimePoint(milliseconds(ms)); }

void bind_opt(SQLite::Statement& st, int i, const std::optional<std::string>& v) {
  if (v) {
    st.bind(i, *v);
  } else {
    st.bind(i);
  }
}

std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

Message read_message(SQLite::Statement& st) {
  Message m;
  m.sid = st.getColumn(0).getString();
  m.account_sid = st.getColumn(1).getString();
  m.messaging_service_sid = opt_text(st.getColumn(2));
  m.from = opt_text(st.getColumn(3));
  m.to = st.getColumn(4).getString();
  m.body = st.getColumn(5).getString();
  m.status = parse_message_status(st.getColumn(6).getString()).value_or(MessageStatus::kQueued);
  m.direction = parse_direction(st.getColumn(7).getString()).value_or(Direction::kOutboundApi);
  m.num_segments = st.getColumn(8).getInt();
  m.num_media = st.getColumn(9).getInt();
  const auto urls = nlohmann::json::parse(st.getColumn(10).getString(), nullptr, false);
  if (urls.is_array()) {
    for (const auto& u : urls) {
      if (u.is_string()) m.media_urls.push_back(u.get<std::string>());
    }
  }
  m.price = opt_text(st.getColumn(11));
  m.price_unit = opt_text(st.getColumn(12));
  if (!st.getColumn(13).isNull()) m.error_code = st.getColumn(13).getInt();
  m.error_message = opt_text(st.getColumn(14));
  m.status_callback = opt_text(st.getColumn(15));
  m.date_created = from_ms(st.getColumn(16).getInt64());
  m.date_updated = from_ms(st.getColumn(17).getInt64());
  if (!st.getColumn(18).isNull()) m.date_sent = from_ms(st.getColumn(18).getInt64());
  return m;
}

// Binds every column of `m` in kMessageColumns order, starting at index 1.
void bind_message(SQLite::Statement& st, const Message& m) {
  st.bind(1, m.sid);
  st.bind(2, m.account_sid);
  bind_opt(st, 3, m.messaging_service_sid);
  bind_opt(st, 4, m.from);
  st.bind(5, m.to);
  st.bind(6, m.body);
  st.bind(7, std::string(to_string(m.status)));
  st.bind(8, std::string(to_string(m.direction)));
  st.bind(9, m.num_segments);
  st.bind(10, m.num_media);
  st.bind(11, nlohmann::json(m.media_urls).dump());
  bind_opt(st, 12, m.price);
  bind_opt(st, 13, m.price_unit);
  if (m.error_code) {
    st.bind(14, *m.error_code);
  } else {
    st.bind(14);
  }
  bind_opt(st, 15, m.error_message);
  bind_opt(st, 16, m.status_callback);
  st.bind(17, to_ms(m.date_created));
  st.bind(18, to_ms(m.date_updated));
  if (m.date_sent) {
    st.bind(19, to_ms(*m.date_sent));
  } else {
    st.bind(19);
  }
}

std::string insert_sql() {
  return fmt::format(
      "INSERT INTO messages ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      kMessageColumns);
}

void insert_message_locked(common::Conn& c, const Message& m) {
  auto& st = c.prepare(insert_sql());
  bind_message(st, m);
  st.exec();
}

std::string mask(const std::string& secret) {
  return secret.size() <= 4 ? std::string("****") : secret.substr(0, 4) + "****";
}

nlohmann::json message_row_json(const Message& m) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"sid", m.sid},
          {"account_sid", m.account_sid},
          {"messaging_service_sid", opt(m.messaging_service_sid)},
          {"from", opt(m.from)},
          {"to", m.to},
          {"body", m.body},
          {"status", to_string(m.status)},
          {"direction", to_string(m.direction)},
          {"num_segments", m.num_segments},
          {"num_media", m.num_media},
          {"media_urls", m.media_urls},
          {"price", opt(m.price)},
          {"price_unit", opt(m.price_unit)},
          {"error_code", opt(m.error_code)},
          {"error_message", opt(m.error_message)},
          {"status_callback", opt(m.status_callback)},
          {"date_created_ms", to_ms(m.date_created)},
          {"date_updated_ms", to_ms(m.date_updated)},
          {"date_sent_ms", m.date_sent ? nlohmann::json(to_ms(*m.date_sent)) : nlohmann::json()}};
}

}  // namespace

void Store::load_fixture(const TwilioFixture& fixture) {
  db_.rebuild([&](common::Conn& c) {
    for (const auto& a : fixture.accounts) {
      auto& st = c.prepare(
          "INSERT INTO accounts (sid, auth_token, friendly_name, test) VALUES (?, ?, ?, ?)");
      st.bind(1, a.sid);
      st.bind(2, a.auth_token);
      st.bind(3, a.friendly_name);
      st.bind(4, a.test ? 1 : 0);
      st.exec();
    }
    for (const auto& k : fixture.api_keys) {
      auto& st = c.prepare(
          "INSERT INTO api_keys (sid, secret, account_sid, friendly_name) VALUES (?, ?, ?, ?)");
      st.bind(1, k.sid);
      st.bind(2, k.secret);
      st.bind(3, k.account_sid);
      st.bind(4, k.friendly_name);
      st.exec();
    }
    for (const auto& p : fixture.phone_numbers) {
      auto& st = c.prepare(
          "INSERT INTO phone_numbers (sid, account_sid, phone_number, sms_capable, sms_url, "
          "status_callback) VALUES (?, ?, ?, ?, ?, ?)");
      st.bind(1, p.sid);
      st.bind(2, p.account_sid);
      st.bind(3, p.phone_number);
      st.bind(4, p.sms_capable ? 1 : 0);
      bind_opt(st, 5, p.sms_url);
      bind_opt(st, 6, p.status_callback);
      st.exec();
    }
    for (const auto& m : fixture.messages) insert_message_locked(c, m);
  });
}

nlohmann::json Store::dump_state() {
  return db_.with([&](common::Conn& c) {
    nlohmann::json out = {{"accounts", nlohmann::json::array()},
                          {"api_keys", nlohmann::json::array()},
                          {"phone_numbers", nlohmann::json::array()},
                          {"messages", nlohmann::json::array()}};
    auto& a = c.prepare("SELECT sid, auth_token, friendly_name, test FROM accounts ORDER BY sid");
    while (a.executeStep()) {
      out["accounts"].push_back({{"sid", a.getColumn(0).getString()},
                                 {"auth_token", mask(a.getColumn(1).getString())},
                                 {"friendly_name", a.getColumn(2).getString()},
                                 {"test", a.getColumn(3).getInt() != 0}});
    }
    auto& k =
        c.prepare("SELECT sid, secret, account_sid, friendly_name FROM api_keys ORDER BY sid");
    while (k.executeStep()) {
      out["api_keys"].push_back({{"sid", k.getColumn(0).getString()},
                                 {"secret", mask(k.getColumn(1).getString())},
                                 {"account_sid", k.getColumn(2).getString()},
                                 {"friendly_name", k.getColumn(3).getString()}});
    }
    auto& p = c.prepare(
        "SELECT sid, account_sid, phone_number, sms_capable, sms_url, status_callback "
        "FROM phone_numbers ORDER BY sid");
    while (p.executeStep()) {
      auto opt = [](const SQLite::Column& col) {
        return col.isNull() ? nlohmann::json() : nlohmann::json(col.getString());
      };
      out["phone_numbers"].push_back({{"sid", p.getColumn(0).getString()},
                                      {"account_sid", p.getColumn(1).getString()},
                                      {"phone_number", p.getColumn(2).getString()},
                                      {"sms_capable", p.getColumn(3).getInt() != 0},
                                      {"sms_url", opt(p.getColumn(4))},
                                      {"status_callback", opt(p.getColumn(5))}});
    }
    auto& m = c.prepare(
        fmt::format("SELECT {} FROM messages ORDER BY date_created, sid", kMessageColumns));
    while (m.executeStep()) out["messages"].push_back(message_row_json(read_message(m)));
    return out;
  });
}

std::optional<Account> Store::find_account(const std::string& sid) {
  return db_.with([&](common::Conn& c) -> std::optional<Account> {
    auto& st = c.prepare("SELECT sid, auth_token, friendly_name, test FROM accounts WHERE sid = ?");
    st.bind(1, sid);
    if (!st.executeStep()) return std::nullopt;
    return Account{st.getColumn(0).getString(), st.getColumn(1).getString(),
                   st.getColumn(2).getString(), st.getColumn(3).getInt() != 0};
  });
}

std::optional<ApiKey> Store::find_api_key(const std::string& sid) {
  return db_.with([&](common::Conn& c) -> std::optional<ApiKey> {
    auto& st =
        c.prepare("SELECT sid, secret, account_sid, friendly_name FROM api_keys WHERE sid = ?");
    st.bind(1, sid);
    if (!st.executeStep()) return std::nullopt;
    return ApiKey{st.getColumn(0).getString(), st.getColumn(1).getString(),
                  st.getColumn(2).getString(), st.getColumn(3).getString()};
  });
}

std::optional<PhoneNumber> Store::find_phone_number(const std::string& account_sid,
                                                    const std::string& number) {
  return db_.with([&](common::Conn& c) -> std::optional<PhoneNumber> {
    auto& st = c.prepare(
        "SELECT sid, account_sid, phone_number, sms_capable, sms_url, status_callback "
        "FROM phone_numbers WHERE account_sid = ? AND phone_number = ?");
    st.bind(1, account_sid);
    st.bind(2, number);
    if (!st.executeStep()) return std::nullopt;
    PhoneNumber p;
    p.sid = st.getColumn(0).getString();
    p.account_sid = st.getColumn(1).getString();
    p.phone_number = st.getColumn(2).getString();
    p.sms_capable = st.getColumn(3).getInt() != 0;
    p.sms_url = opt_text(st.getColumn(4));
    p.status_callback = opt_text(st.getColumn(5));
    return p;
  });
}

void Store::insert_message(const Message& message) {
  db_.with([&](common::Conn& c) { insert_message_locked(c, message); });
}

void Store::update_message(const Message& message) {
  db_.with([&](common::Conn& c) {
    const std::string sql = fmt::format(
        "UPDATE messages SET (sid, account_sid, messaging_service_sid, from_number, to_number, "
        "body, status, direction, num_segments, num_media, media_urls, price, price_unit, "
        "error_code, error_message, status_callback, date_created, date_updated, date_sent) = "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE sid = ?20");
    auto& st = c.prepare(sql);
    bind_message(st, message);
    st.bind(20, message.sid);
    st.exec();
  });
}

std::optional<Message> Store::find_message(const std::string& account_sid, const std::string& sid) {
  return db_.with([&](common::Conn& c) -> std::optional<Message> {
    auto& st = c.prepare(
        fmt::format("SELECT {} FROM messages WHERE account_sid = ? AND sid = ?", kMessageColumns));
    st.bind(1, account_sid);
    st.bind(2, sid);
    if (!st.executeStep()) return std::nullopt;
    return read_message(st);
  });
}

std::vector<Message> Store::list_messages(const MessageQuery& q) {
  // The SQL text depends only on which filters are present, so the statement cache holds at
  // most a few dozen variants.
  std::string sql = fmt::format("SELECT {} FROM messages WHERE account_sid = ?", kMessageColumns);
  if (q.to) sql += " AND to_number = ?";
  if (q.from) sql += " AND from_number = ?";
  if (q.sent_from) sql += " AND date_sent >= ?";
  if (q.sent_until) sql += " AND date_sent < ?";
  if (q.after) sql += " AND (date_created < ? OR (date_created = ? AND sid < ?))";
  if (q.before) sql += " AND (date_created > ? OR (date_created = ? AND sid > ?))";
  sql += q.before ? " ORDER BY date_created ASC, sid ASC" : " ORDER BY date_created DESC, sid DESC";
  sql += " LIMIT ?";
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare(sql);
    int i = 1;
    st.bind(i++, q.account_sid);
    if (q.to) st.bind(i++, *q.to);
    if (q.from) st.bind(i++, *q.from);
    if (q.sent_from) st.bind(i++, to_ms(*q.sent_from));
    if (q.sent_until) st.bind(i++, to_ms(*q.sent_until));
    for (const auto* anchor : {&q.after, &q.before}) {
      if (!*anchor) continue;
      st.bind(i++, to_ms((*anchor)->date_created));
      st.bind(i++, to_ms((*anchor)->date_created));
      st.bind(i++, (*anchor)->sid);
    }
    st.bind(i, static_cast<std::int64_t>(q.limit));
    std::vector<Message> out;
    while (st.executeStep()) out.push_back(read_message(st));
    if (q.before) std::reverse(out.begin(), out.end());
    return out;
  });
}

bool Store::delete_message(const std::string& account_sid, const std::string& sid) {
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare("DELETE FROM messages WHERE account_sid = ? AND sid = ?");
    st.bind(1, account_sid);
    st.bind(2, sid);
    return st.exec() > 0;
  });
}

std::vector<Message> Store::inspect_messages(const InspectionFilter& f) {
  std::string sql = fmt::format("SELECT {} FROM messages WHERE 1 = 1", kMessageColumns);
  if (f.to) sql += " AND to_number = ?";
  if (f.from) sql += " AND from_number = ?";
  if (f.account_sid) sql += " AND account_sid = ?";
  sql += " ORDER BY date_created DESC, sid DESC";
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare(sql);
    int i = 1;
    if (f.to) st.bind(i++, *f.to);
    if (f.from) st.bind(i++, *f.from);
    if (f.account_sid) st.bind(i++, *f.account_sid);
    std::vector<Message> out;
    while (st.executeStep()) out.push_back(read_message(st));
    return out;
  });
}

std::size_t Store::clear_messages() {
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare("DELETE FROM messages");
    return static_cast<std::size_t>(st.exec());
  });
}

}  // namespace mock::twilio
