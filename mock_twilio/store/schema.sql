-- mock_twilio's state (house-style §3.4). Embedded at build time; PRAGMA user_version is
-- stamped with store.hpp's kSchemaVersion. No migrations: data is disposable.

-- Accounts: SID + auth token (Basic AccountSid:AuthToken). test = test credentials (§4).
CREATE TABLE accounts (
  sid           TEXT PRIMARY KEY,
  auth_token    TEXT NOT NULL,
  friendly_name TEXT NOT NULL DEFAULT '',
  test          INTEGER NOT NULL DEFAULT 0
);

-- API keys: Basic SK...:secret, valid for their own account only.
CREATE TABLE api_keys (
  sid           TEXT PRIMARY KEY,
  secret        TEXT NOT NULL,
  account_sid   TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name TEXT NOT NULL DEFAULT ''
);

-- Numbers an account owns (valid From values).
CREATE TABLE phone_numbers (
  sid             TEXT PRIMARY KEY,
  account_sid     TEXT NOT NULL REFERENCES accounts(sid),
  phone_number    TEXT NOT NULL,
  sms_capable     INTEGER NOT NULL DEFAULT 1,
  sms_url         TEXT,
  status_callback TEXT,
  UNIQUE (account_sid, phone_number)
);

-- Messages. Times are milliseconds since the epoch (UTC); media_urls is a JSON array.
CREATE TABLE messages (
  sid                   TEXT PRIMARY KEY,
  account_sid           TEXT NOT NULL REFERENCES accounts(sid),
  messaging_service_sid TEXT,
  from_number           TEXT,
  to_number             TEXT NOT NULL,
  body                  TEXT NOT NULL,
  status                TEXT NOT NULL,
  direction             TEXT NOT NULL,
  num_segments          INTEGER NOT NULL,
  num_media             INTEGER NOT NULL,
  media_urls            TEXT NOT NULL DEFAULT '[]',
  price                 TEXT,
  price_unit            TEXT,
  error_code            INTEGER,
  error_message         TEXT,
  status_callback       TEXT,
  date_created          INTEGER NOT NULL,
  date_updated          INTEGER NOT NULL,
  date_sent             INTEGER,
  next_at               INTEGER  -- when the scheduler moves it on (NULL: it does not)
);

-- One index per list filter; every list is account-scoped and newest first. Ascending, read
-- backwards for newest first (the same plans: store_test "list queries read an index in
-- order"): a new message's keys are the largest, so an insert appends at the index's right
-- edge. Declared DESC (schema version 2), a newer message sorted before every stored one and
-- SQLite ran its sibling rebalancing (balance_nonroot) 1.2 times per insert, against 0.48
-- ascending (~11k instructions a message; bench/README.md, "Session 10").
CREATE INDEX messages_by_created ON messages (account_sid, date_created, sid);
CREATE INDEX messages_by_to      ON messages (account_sid, to_number, date_created, sid);
CREATE INDEX messages_by_from    ON messages (account_sid, from_number, date_created, sid);
CREATE INDEX messages_by_sent    ON messages (account_sid, date_sent);
CREATE INDEX messages_by_next_at ON messages (next_at) WHERE next_at IS NOT NULL;

-- Messaging Services: senders is a JSON array of E.164 numbers (pool order).
CREATE TABLE messaging_services (
  sid                 TEXT PRIMARY KEY,
  account_sid         TEXT NOT NULL REFERENCES accounts(sid),
  friendly_name       TEXT NOT NULL DEFAULT '',
  senders             TEXT NOT NULL DEFAULT '[]',
  status_callback     TEXT,
  inbound_request_url TEXT
);

-- Webhook attempts (status callbacks and inbound webhooks), one row per attempt; params is a
-- JSON array of [name, value] pairs. Times in ms since the epoch (Clock time).
CREATE TABLE callbacks (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  kind              TEXT NOT NULL,
  account_sid       TEXT NOT NULL,
  message_sid       TEXT NOT NULL,
  url               TEXT NOT NULL,
  params            TEXT NOT NULL,
  signature         TEXT NOT NULL,
  idempotency_token TEXT NOT NULL,
  attempt           INTEGER NOT NULL,
  duplicate         INTEGER NOT NULL DEFAULT 0,
  due_at            INTEGER NOT NULL,
  state             TEXT NOT NULL,
  response_code     INTEGER,
  latency_ms        INTEGER,
  error             TEXT,
  attempted_at      INTEGER
);
CREATE INDEX callbacks_pending ON callbacks (due_at, id) WHERE state = 'pending';

-- End-user numbers that replied STOP, per account.
CREATE TABLE opt_outs (
  account_sid TEXT NOT NULL,
  number      TEXT NOT NULL,
  PRIMARY KEY (account_sid, number)
);
