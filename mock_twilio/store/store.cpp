#include "mock_twilio/store/store.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <future>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <sys/resource.h>

namespace mock::twilio {
namespace {

using std::chrono::milliseconds;

constexpr auto kWriteBehindPause = milliseconds(1);
constexpr std::size_t kWriteChunk = 32;

constexpr const char* kMessageColumns =
    "sid, account_sid, messaging_service_sid, from_number, to_number, body, status, direction, "
    "num_segments, num_media, media_urls, price, price_unit, error_code, error_message, "
    "status_callback, date_created, date_updated, date_sent, next_at";

// Moves the calling thread `levels` nice levels above its current one (on Linux nice is per
// thread, and PRIO_PROCESS with 0 names the calling thread). False if not permitted.
bool raise_own_priority(int levels) {
  if (levels <= 0) return false;
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, 0);
  if (current == -1 && errno != 0) return false;
  const int wanted = std::max(current - levels, -20);
  return wanted < current && setpriority(PRIO_PROCESS, 0, wanted) == 0;
}

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

// Text bound without SQLite's copy (SQLITE_STATIC): only for values that outlive the
// statement's execution (the Message being written, string literals). Saves a malloc and a
// copy per column on the create and status-step paths.
void bind_view(SQLite::Statement& st, int i, const std::string& v) { st.bindNoCopy(i, v); }

// The names of enums (model.cpp's tables of string literals, NUL-terminated after their size).
void bind_name(SQLite::Statement& st, int i, std::string_view name) {
  if (name.data()[name.size()] == '\0') {
    st.bindNoCopy(i, name.data());
  } else {
    st.bind(i, std::string(name));
  }
}

void bind_opt_view(SQLite::Statement& st, int i, const std::optional<std::string>& v) {
  if (v) {
    bind_view(st, i, *v);
  } else {
    st.bind(i);
  }
}

void bind_time(SQLite::Statement& st, int i, const std::optional<TimePoint>& t) {
  if (t) {
    st.bind(i, to_ms(*t));
  } else {
    st.bind(i);
  }
}

void bind_opt_int(SQLite::Statement& st, int i, const std::optional<std::int64_t>& v) {
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

// A column holding a JSON array of strings (media URLs, senders); anything else reads as
// empty and non-string elements are skipped.
std::vector<std::string> string_list(const SQLite::Column& c) {
  std::vector<std::string> out;
  const std::string text = c.getString();
  if (text == "[]") return out;  // the common case, read with every message: skip the parser
  const auto list = nlohmann::json::parse(text, nullptr, false);
  if (list.is_array()) {
    for (const auto& item : list) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
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
  m.media_urls = string_list(st.getColumn(10));
  m.price = opt_text(st.getColumn(11));
  m.price_unit = opt_text(st.getColumn(12));
  if (!st.getColumn(13).isNull()) m.error_code = st.getColumn(13).getInt();
  m.error_message = opt_text(st.getColumn(14));
  m.status_callback = opt_text(st.getColumn(15));
  m.date_created = from_ms(st.getColumn(16).getInt64());
  m.date_updated = from_ms(st.getColumn(17).getInt64());
  if (!st.getColumn(18).isNull()) m.date_sent = from_ms(st.getColumn(18).getInt64());
  if (!st.getColumn(19).isNull()) m.next_at = from_ms(st.getColumn(19).getInt64());
  return m;
}

// Binds every column of `m` in kMessageColumns order, starting at index 1.
void bind_message(SQLite::Statement& st, const Message& m, const std::string& media_urls) {
  bind_view(st, 1, m.sid);
  bind_view(st, 2, m.account_sid);
  bind_opt_view(st, 3, m.messaging_service_sid);
  bind_opt_view(st, 4, m.from);
  bind_view(st, 5, m.to);
  bind_view(st, 6, m.body);
  bind_name(st, 7, to_string(m.status));
  bind_name(st, 8, to_string(m.direction));
  st.bind(9, m.num_segments);
  st.bind(10, m.num_media);
  bind_view(st, 11, media_urls);
  bind_opt_view(st, 12, m.price);
  bind_opt_view(st, 13, m.price_unit);
  bind_opt_int(st, 14, m.error_code);
  bind_opt_view(st, 15, m.error_message);
  bind_opt_view(st, 16, m.status_callback);
  st.bind(17, to_ms(m.date_created));
  st.bind(18, to_ms(m.date_updated));
  bind_time(st, 19, m.date_sent);
  bind_time(st, 20, m.next_at);
}

std::string insert_sql() {
  return fmt::format(
      "INSERT INTO messages ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?)",
      kMessageColumns);
}

const std::string& insert_message_sql() {
  static const std::string kInsertSql = insert_sql();  // immutable: built once
  return kInsertSql;
}

void insert_message_locked(common::Conn& c, const Message& m) {
  auto& st = c.prepare(insert_message_sql());
  const std::string media_urls =
      m.media_urls.empty() ? std::string("[]") : nlohmann::json(m.media_urls).dump();
  bind_message(st, m, media_urls);
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
          {"date_sent_ms", m.date_sent ? nlohmann::json(to_ms(*m.date_sent)) : nlohmann::json()},
          {"next_at_ms", m.next_at ? nlohmann::json(to_ms(*m.next_at)) : nlohmann::json()}};
}

MessagingService read_service(SQLite::Statement& st) {
  MessagingService s;
  s.sid = st.getColumn(0).getString();
  s.account_sid = st.getColumn(1).getString();
  s.friendly_name = st.getColumn(2).getString();
  s.senders = string_list(st.getColumn(3));
  s.status_callback = opt_text(st.getColumn(4));
  s.inbound_request_url = opt_text(st.getColumn(5));
  return s;
}

constexpr const char* kServiceColumns =
    "sid, account_sid, friendly_name, senders, status_callback, inbound_request_url";

constexpr const char* kCallbackColumns =
    "id, kind, account_sid, message_sid, url, params, signature, idempotency_token, attempt, "
    "duplicate, due_at, state, response_code, latency_ms, error, attempted_at";

CallbackAttempt read_callback(SQLite::Statement& st) {
  CallbackAttempt a;
  a.id = st.getColumn(0).getInt64();
  a.kind = parse_callback_kind(st.getColumn(1).getString()).value_or(CallbackKind::kStatus);
  a.account_sid = st.getColumn(2).getString();
  a.message_sid = st.getColumn(3).getString();
  a.url = st.getColumn(4).getString();
  const auto params = nlohmann::json::parse(st.getColumn(5).getString(), nullptr, false);
  if (params.is_array()) {
    for (const auto& p : params) {
      if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
        a.params.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
      }
    }
  }
  a.signature = st.getColumn(6).getString();
  a.idempotency_token = st.getColumn(7).getString();
  a.attempt = st.getColumn(8).getInt();
  a.duplicate = st.getColumn(9).getInt() != 0;
  a.due_at = from_ms(st.getColumn(10).getInt64());
  a.state = parse_callback_state(st.getColumn(11).getString()).value_or(CallbackState::kPending);
  if (!st.getColumn(12).isNull()) a.response_code = st.getColumn(12).getInt();
  if (!st.getColumn(13).isNull()) a.latency_ms = st.getColumn(13).getInt64();
  a.error = opt_text(st.getColumn(14));
  if (!st.getColumn(15).isNull()) a.attempted_at = from_ms(st.getColumn(15).getInt64());
  return a;
}

// Binds columns 2.. of kCallbackColumns (everything but id), starting at index 1.
void bind_callback(SQLite::Statement& st, const CallbackAttempt& a) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [k, v] : a.params) params.push_back({k, v});
  st.bind(1, std::string(to_string(a.kind)));
  st.bind(2, a.account_sid);
  st.bind(3, a.message_sid);
  st.bind(4, a.url);
  st.bind(5, params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  st.bind(6, a.signature);
  st.bind(7, a.idempotency_token);
  st.bind(8, a.attempt);
  st.bind(9, a.duplicate ? 1 : 0);
  st.bind(10, to_ms(a.due_at));
  st.bind(11, std::string(to_string(a.state)));
  bind_opt_int(st, 12,
               a.response_code ? std::optional<std::int64_t>(*a.response_code) : std::nullopt);
  bind_opt_int(st, 13, a.latency_ms);
  bind_opt(st, 14, a.error);
  bind_time(st, 15, a.attempted_at);
}

// The single time a `SELECT MIN(<ms column>) ...` query returns; nullopt when no row matches.
std::optional<TimePoint> earliest_locked(common::Conn& c, const char* min_sql) {
  auto& st = c.prepare(min_sql);
  std::optional<TimePoint> out;
  if (st.executeStep() && !st.getColumn(0).isNull()) out = from_ms(st.getColumn(0).getInt64());
  st.reset();
  return out;
}

}  // namespace

void Store::load_fixture(const TwilioFixture& fixture) {
  // Queued messages go to the tables the rebuild replaces, in their own transaction: if the
  // rebuild fails (it rolls back), the world before it is whole.
  bool queued = false;
  {
    std::lock_guard lock(queue_mutex_);
    queued = !queue_.empty();
  }
  if (queued) flush();
  db_.rebuild([&](common::Conn& c) {
    cache_.clear();
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
    for (const auto& s : fixture.messaging_services) {
      auto& st = c.prepare(fmt::format(
          "INSERT INTO messaging_services ({}) VALUES (?, ?, ?, ?, ?, ?)", kServiceColumns));
      st.bind(1, s.sid);
      st.bind(2, s.account_sid);
      st.bind(3, s.friendly_name);
      st.bind(4, nlohmann::json(s.senders).dump());
      bind_opt(st, 5, s.status_callback);
      bind_opt(st, 6, s.inbound_request_url);
      st.exec();
    }
    for (const auto& m : fixture.messages) insert_message_locked(c, m);
  });
  // After the rebuild, outside the connection's lock (directory() takes the two locks in the
  // other order): a directory read meanwhile is dropped here, read again on next use.
  drop_directory();
}

void Store::drop_directory() {
  std::lock_guard lock(directory_mutex_);
  directory_.reset();
}

std::shared_ptr<const Store::Directory> Store::directory() {
  std::lock_guard lock(directory_mutex_);
  if (directory_) return directory_;
  auto d = std::make_shared<Directory>();
  db_.with([&](common::Conn& c) {
    auto& a = c.prepare("SELECT sid, auth_token, friendly_name, test FROM accounts");
    while (a.executeStep()) {
      Account account{a.getColumn(0).getString(), a.getColumn(1).getString(),
                      a.getColumn(2).getString(), a.getColumn(3).getInt() != 0};
      d->accounts.emplace(account.sid, std::move(account));
    }
    auto& k = c.prepare("SELECT sid, secret, account_sid, friendly_name FROM api_keys");
    while (k.executeStep()) {
      ApiKey key{k.getColumn(0).getString(), k.getColumn(1).getString(), k.getColumn(2).getString(),
                 k.getColumn(3).getString()};
      d->api_keys.emplace(key.sid, std::move(key));
    }
    auto& p = c.prepare(
        "SELECT sid, account_sid, phone_number, sms_capable, sms_url, status_callback "
        "FROM phone_numbers");
    while (p.executeStep()) {
      PhoneNumber n;
      n.sid = p.getColumn(0).getString();
      n.account_sid = p.getColumn(1).getString();
      n.phone_number = p.getColumn(2).getString();
      n.sms_capable = p.getColumn(3).getInt() != 0;
      n.sms_url = opt_text(p.getColumn(4));
      n.status_callback = opt_text(p.getColumn(5));
      Key key{n.account_sid, n.phone_number};
      d->numbers.emplace(std::move(key), std::move(n));
    }
    auto& s = c.prepare(fmt::format("SELECT {} FROM messaging_services", kServiceColumns));
    while (s.executeStep()) {
      auto svc = read_service(s);
      Key key{svc.account_sid, svc.sid};
      d->services.emplace(std::move(key), std::move(svc));
    }
    auto& o = c.prepare("SELECT account_sid, number FROM opt_outs");
    while (o.executeStep())
      d->opt_outs.emplace(o.getColumn(0).getString(), o.getColumn(1).getString());
  });
  directory_ = std::move(d);
  return directory_;
}

nlohmann::json Store::dump_state() {
  return with([&](common::Conn& c) {
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
    out["messaging_services"] = nlohmann::json::array();
    auto& s =
        c.prepare(fmt::format("SELECT {} FROM messaging_services ORDER BY sid", kServiceColumns));
    while (s.executeStep()) {
      const auto svc = read_service(s);
      auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
      out["messaging_services"].push_back({{"sid", svc.sid},
                                           {"account_sid", svc.account_sid},
                                           {"friendly_name", svc.friendly_name},
                                           {"senders", svc.senders},
                                           {"status_callback", opt(svc.status_callback)},
                                           {"inbound_request_url", opt(svc.inbound_request_url)}});
    }
    out["opt_outs"] = nlohmann::json::array();
    auto& o = c.prepare("SELECT account_sid, number FROM opt_outs ORDER BY account_sid, number");
    while (o.executeStep()) {
      out["opt_outs"].push_back(
          {{"account_sid", o.getColumn(0).getString()}, {"number", o.getColumn(1).getString()}});
    }
    auto& cb = c.prepare("SELECT COUNT(*) FROM callbacks");
    out["callbacks"] = cb.executeStep() ? cb.getColumn(0).getInt64() : 0;
    cb.reset();
    return out;
  });
}

std::optional<Account> Store::find_account(const std::string& sid) {
  const auto d = directory();
  const auto it = d->accounts.find(sid);
  if (it == d->accounts.end()) return std::nullopt;
  return it->second;
}

std::optional<ApiKey> Store::find_api_key(const std::string& sid) {
  const auto d = directory();
  const auto it = d->api_keys.find(sid);
  if (it == d->api_keys.end()) return std::nullopt;
  return it->second;
}

std::optional<PhoneNumber> Store::find_phone_number(const std::string& account_sid,
                                                    const std::string& number) {
  const auto d = directory();
  const auto it = d->numbers.find(Key{account_sid, number});
  if (it == d->numbers.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const Message> MessageCache::get(const std::string& sid) const {
  Shard& shard = shard_of(sid);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.rows.find(sid);
  return it == shard.rows.end() ? nullptr : it->second;
}

void MessageCache::put(const Message& m) {
  auto row = std::make_shared<const Message>(m);
  Shard& shard = shard_of(m.sid);
  std::shared_ptr<const Message> forgotten;  // freed after the shard's lock is released
  std::lock_guard lock(shard.mutex);
  if (shard.rows.size() >= kPerShard && shard.rows.find(m.sid) == shard.rows.end()) {
    const auto victim = shard.rows.begin();
    forgotten = std::move(victim->second);
    shard.rows.erase(victim);
  }
  shard.rows.insert_or_assign(m.sid, std::move(row));
}

void MessageCache::erase(const std::string& sid) {
  Shard& shard = shard_of(sid);
  std::shared_ptr<const Message> erased;
  std::lock_guard lock(shard.mutex);
  const auto it = shard.rows.find(sid);
  if (it == shard.rows.end()) return;
  erased = std::move(it->second);
  shard.rows.erase(it);
}

void MessageCache::clear() {
  for (auto& shard : shards_) {
    std::unordered_map<std::string, std::shared_ptr<const Message>> cleared;
    std::lock_guard lock(shard.mutex);
    cleared.swap(shard.rows);
  }
}

std::size_t MessageCache::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.rows.size();
  }
  return n;
}

Store::Store(common::Sqlite& db, std::function<void(const std::string&)> on_write_error,
             WriteQueueLimits limits)
    : db_(db),
      write_behind_(db.in_memory()),
      limits_(limits),
      on_write_error_(std::move(on_write_error)) {
  if (!write_behind_) return;
  std::promise<void> started;
  auto ready = started.get_future();
  writer_ = std::thread([this, &started] {
    writer_boosted_ = raise_own_priority(limits_.writer_boost);
    started.set_value();
    writer_loop();
  });
  ready.wait();  // writer_boosted_ is set
}

Store::~Store() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_one();
    room_cv_.notify_all();
    writer_.join();
  }
}

void Store::flush() {
  with([](common::Conn&) {});
}

void Store::writer_loop() {
  std::unique_lock lock(queue_mutex_);
  while (true) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // Gather: under load the queue fills meanwhile and one transaction takes a batch. A reader
    // that comes first writes it itself.
    queue_cv_.wait_for(lock, kWriteBehindPause, [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    try {
      // In chunks, yielding the CPU after each: a chunk of 128 back to back ran ~4 ms, and the
      // request threads queued behind it on its CPU waited that long (POST's p99). A thread
      // that holds the lock long is also one the scheduler then makes wait.
      while (db_.with([&](common::Conn& c) { return write_queue_locked(c, kWriteChunk); }) > 0) {
        std::this_thread::yield();
      }
    } catch (const std::exception& e) {
      if (on_write_error_) on_write_error_(fmt::format("writing queued messages: {}", e.what()));
    }
    lock.lock();
  }
}

void Store::insert_message(const Message& message) {
  std::uint64_t ticket = 0;
  std::size_t size = 0;
  {
    std::lock_guard lock(queue_mutex_);
    ticket = ++last_ticket_;
    queue_.emplace_back(ticket, message);
    size = queue_.size();
  }
  if (write_behind_) {
    if (size == 1) queue_cv_.notify_one();
    // The writer thread and the status worker's due query write the queue. Should they fall
    // behind, from limits_.write_from queued messages (write_from_boosted when the writer
    // thread got its priority) a request thread writes a chunk itself when the lock is free
    // (one that is writing takes ours too), and from
    // limits_.wait_from on it waits for room in the queue: the queue stays bounded. Both are
    // high: a request that writes is one of the slow ones (p99).
    if (size < (writer_boosted_ ? limits_.write_from_boosted : limits_.write_from)) return;
    db_.try_with([&](common::Conn& c) { write_queue_locked(c, kWriteChunk); });
    if (size < limits_.wait_from) return;
    // Back-pressure: wait until the writers have taken the queue below wait_from, not for the
    // connection's lock. A lock waiter used to wait for the writer thread to drain the whole
    // queue (it takes the lock again between chunks before a woken waiter runs): 40-350 ms
    // stalls in POST's p99 (bench/README.md). Room comes one chunk later.
    std::unique_lock lock(queue_mutex_);
    ++room_waiters_;
    room_cv_.wait(lock, [&] { return stopping_ || queue_.size() < limits_.wait_from; });
    --room_waiters_;
    return;
  }
  db_.with([&](common::Conn& c) {
    write_queue_locked(c);  // ours, unless a caller before us wrote it
    if (failed_.erase(ticket) > 0) {
      throw std::runtime_error(fmt::format("message {} could not be stored", message.sid));
    }
  });
}

std::size_t Store::write_queue_locked(common::Conn& c, std::size_t limit) {
  std::vector<std::pair<std::uint64_t, Message>> batch;
  std::size_t left = 0;
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.empty()) return 0;
    const auto n = std::min(limit, queue_.size());
    batch.reserve(n);
    std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n),
              std::back_inserter(batch));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    left = queue_.size();
    if (room_waiters_ > 0 && left < limits_.wait_from) room_cv_.notify_all();
  }
  {
    SQLite::Transaction tx(c.db);
    try {
      for (const auto& [ticket, m] : batch) insert_message_locked(c, m);
      tx.commit();
      return left;
    } catch (const SQLite::Exception&) {
      // The failed statement is still running, and a transaction with a running statement
      // cannot roll back (SQLiteCpp's destructor would swallow that error, and the next
      // statements would run inside the open transaction): reset it first.
      c.prepare(insert_message_sql());  // resets it
    }
  }  // rolled back
  // One bad row (a duplicate SID) must not take the others with it: one by one.
  for (const auto& [ticket, m] : batch) {
    try {
      insert_message_locked(c, m);
    } catch (const SQLite::Exception& e) {
      if (write_behind_) {
        if (on_write_error_) {
          on_write_error_(fmt::format("message {} was not stored: {}", m.sid, e.what()));
        }
      } else {
        failed_.insert(ticket);
      }
    }
  }
  return left;
}

namespace {

// Only the columns that change after creation (status steps, the sender a Messaging Service
// picks, redaction, price, errors, times). SQLite rewrites an index only when the SET list
// names one of its columns: leaving out sid, account_sid, to_number and date_created keeps the
// primary key, messages_by_created and messages_by_to untouched, and from_number (only named
// when the sender changed) messages_by_from (bench/README.md). sid, account_sid,
// messaging_service_sid, to, direction, media and status_callback never change after
// insert_message.
void update_message_locked(common::Conn& c, const Message& m, bool with_sender) {
  auto& st = c.prepare(
      with_sender
          ? "UPDATE messages SET (body, status, num_segments, price, price_unit, error_code, "
            "error_message, date_updated, date_sent, next_at, from_number) = "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE sid = ?12"
          : "UPDATE messages SET (body, status, num_segments, price, price_unit, error_code, "
            "error_message, date_updated, date_sent, next_at) = "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE sid = ?12");
  bind_view(st, 1, m.body);
  bind_name(st, 2, to_string(m.status));
  st.bind(3, m.num_segments);
  bind_opt_view(st, 4, m.price);
  bind_opt_view(st, 5, m.price_unit);
  bind_opt_int(st, 6, m.error_code);
  bind_opt_view(st, 7, m.error_message);
  st.bind(8, to_ms(m.date_updated));
  bind_time(st, 9, m.date_sent);
  bind_time(st, 10, m.next_at);
  if (with_sender) bind_opt_view(st, 11, m.from);
  bind_view(st, 12, m.sid);
  st.exec();
}

// Rows per transaction in update_messages: few enough that a request thread never waits long
// for the connection, enough to share one commit.
constexpr std::size_t kUpdateChunk = 8;

}  // namespace

void Store::update_message(const Message& message) {
  with([&](common::Conn& c) {
    cache_.erase(message.sid);  // as in update_messages: forgotten before the change
    update_message_locked(c, message, true);
  });
}

void Store::update_messages(const std::vector<MessageChange>& changes) {
  for (std::size_t i = 0; i < changes.size(); i += kUpdateChunk) {
    const std::size_t end = std::min(changes.size(), i + kUpdateChunk);
    db_.with([&](common::Conn& c) {
      // Forgotten before the change: a failed one leaves the cache at worst emptier.
      for (std::size_t j = i; j < end; ++j) cache_.erase(changes[j].message.sid);
      if (end - i == 1) {
        return update_message_locked(c, changes[i].message, changes[i].sender_changed);
      }
      SQLite::Transaction tx(c.db);
      for (std::size_t j = i; j < end; ++j) {
        update_message_locked(c, changes[j].message, changes[j].sender_changed);
      }
      tx.commit();
    });
  }
}

std::optional<Message> Store::find_message(const std::string& account_sid, const std::string& sid) {
  // Built once, not under the lock at every fetch.
  static const std::string kSql =
      fmt::format("SELECT {} FROM messages WHERE account_sid = ? AND sid = ?", kMessageColumns);
  if (const auto cached = cache_.get(sid)) {
    // sid is the table's key: a row of another account is no row of this one.
    if (cached->account_sid != account_sid) return std::nullopt;
    return *cached;
  }
  return with([&](common::Conn& c) -> std::optional<Message> {
    auto& st = c.prepare(kSql);
    st.bind(1, account_sid);
    st.bind(2, sid);
    if (!st.executeStep()) return std::nullopt;
    Message m = read_message(st);
    cache_.put(m);  // under the lock, so no writer can have changed the row since
    return m;
  });
}

std::string list_messages_sql(const MessageQuery& q) {
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
  return sql;
}

std::vector<Message> Store::list_messages(const MessageQuery& q) {
  const std::string sql = list_messages_sql(q);
  return with([&](common::Conn& c) {
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
  return with([&](common::Conn& c) {
    cache_.erase(sid);
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
  return with([&](common::Conn& c) {
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
  return with([&](common::Conn& c) {
    cache_.clear();
    auto& st = c.prepare("DELETE FROM messages");
    return static_cast<std::size_t>(st.exec());
  });
}

std::optional<MessagingService> Store::find_messaging_service(const std::string& account_sid,
                                                              const std::string& sid) {
  const auto d = directory();
  const auto it = d->services.find(Key{account_sid, sid});
  if (it == d->services.end()) return std::nullopt;
  return it->second;
}

std::optional<PhoneNumber> Store::find_number_owner(const std::string& number) {
  return db_.with([&](common::Conn& c) -> std::optional<PhoneNumber> {
    auto& st = c.prepare(
        "SELECT sid, account_sid, phone_number, sms_capable, sms_url, status_callback "
        "FROM phone_numbers WHERE phone_number = ? ORDER BY sid LIMIT 1");
    st.bind(1, number);
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

std::optional<MessagingService> Store::find_service_by_sender(const std::string& number) {
  return db_.with([&](common::Conn& c) -> std::optional<MessagingService> {
    auto& st = c.prepare(fmt::format(
        "SELECT {} FROM messaging_services WHERE EXISTS (SELECT 1 FROM json_each(senders) "
        "WHERE value = ?) ORDER BY sid LIMIT 1",
        kServiceColumns));
    st.bind(1, number);
    if (!st.executeStep()) return std::nullopt;
    return read_service(st);
  });
}

std::optional<Message> Store::find_message_by_sid(const std::string& sid) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM messages WHERE sid = ?", kMessageColumns);
  return with([&](common::Conn& c) -> std::optional<Message> {
    auto& st = c.prepare(kSql);
    st.bind(1, sid);
    if (!st.executeStep()) return std::nullopt;
    return read_message(st);
  });
}

std::vector<Message> Store::due_messages(TimePoint now, std::size_t limit) {
  return db_.with([&](common::Conn& c) {
    // The queue in part only: under load the worker would otherwise write most of it, in long
    // transactions on its one thread. What stays queued is still due at the next pass.
    write_queue_locked(c, kWriteChunk);
    // ORDER BY next_at alone follows messages_by_next_at; adding date_created, sid made SQLite
    // sort through a temporary b-tree on every call (~70k instructions for a one-row batch,
    // bench/README.md). The batch is put in that order here instead.
    auto& st = c.prepare(fmt::format(
        "SELECT {} FROM messages WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at "
        "LIMIT ?",
        kMessageColumns));
    st.bind(1, to_ms(now));
    st.bind(2, static_cast<std::int64_t>(limit));
    std::vector<Message> out;
    while (st.executeStep()) out.push_back(read_message(st));
    std::stable_sort(out.begin(), out.end(), [](const Message& a, const Message& b) {
      return std::tie(*a.next_at, a.date_created, a.sid) <
             std::tie(*b.next_at, b.date_created, b.sid);
    });
    return out;
  });
}

std::optional<TimePoint> Store::next_message_due() {
  return with([](common::Conn& c) {
    return earliest_locked(c, "SELECT MIN(next_at) FROM messages WHERE next_at IS NOT NULL");
  });
}

std::int64_t Store::insert_callback(const CallbackAttempt& attempt) {
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare(
        "INSERT INTO callbacks (kind, account_sid, message_sid, url, params, signature, "
        "idempotency_token, attempt, duplicate, due_at, state, response_code, latency_ms, error, "
        "attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bind_callback(st, attempt);
    st.exec();
    return c.db.getLastInsertRowid();
  });
}

void Store::update_callback(const CallbackAttempt& attempt) {
  db_.with([&](common::Conn& c) {
    auto& st = c.prepare(
        "UPDATE callbacks SET (kind, account_sid, message_sid, url, params, signature, "
        "idempotency_token, attempt, duplicate, due_at, state, response_code, latency_ms, error, "
        "attempted_at) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?16");
    bind_callback(st, attempt);
    st.bind(16, attempt.id);
    st.exec();
  });
}

std::vector<CallbackAttempt> Store::due_callbacks(TimePoint now, bool newest_first) {
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare(fmt::format(
        "SELECT {} FROM callbacks WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id {}",
        kCallbackColumns, newest_first ? "DESC" : "ASC"));
    st.bind(1, to_ms(now));
    std::vector<CallbackAttempt> out;
    while (st.executeStep()) out.push_back(read_callback(st));
    return out;
  });
}

std::optional<TimePoint> Store::next_callback_due() {
  return db_.with([](common::Conn& c) {
    return earliest_locked(c, "SELECT MIN(due_at) FROM callbacks WHERE state = 'pending'");
  });
}

std::vector<CallbackAttempt> Store::list_callbacks(const std::optional<std::string>& message_sid) {
  return db_.with([&](common::Conn& c) {
    auto& st = c.prepare(fmt::format("SELECT {} FROM callbacks{} ORDER BY id", kCallbackColumns,
                                     message_sid ? " WHERE message_sid = ?" : ""));
    if (message_sid) st.bind(1, *message_sid);
    std::vector<CallbackAttempt> out;
    while (st.executeStep()) out.push_back(read_callback(st));
    return out;
  });
}

void Store::set_opted_out(const std::string& account_sid, const std::string& number,
                          bool opted_out) {
  db_.with([&](common::Conn& c) {
    auto& st =
        c.prepare(opted_out ? "INSERT OR IGNORE INTO opt_outs (account_sid, number) VALUES (?, ?)"
                            : "DELETE FROM opt_outs WHERE account_sid = ? AND number = ?");
    st.bind(1, account_sid);
    st.bind(2, number);
    st.exec();
  });
  drop_directory();  // rare (an inbound STOP or START): read again on next use
}

bool Store::is_opted_out(const std::string& account_sid, const std::string& number) {
  return directory()->opt_outs.contains(Key{account_sid, number});
}

}  // namespace mock::twilio
