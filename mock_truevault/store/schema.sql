-- mock_truevault's store (house-style §3.4). Embedded at build time; PRAGMA user_version is
-- set by common::Sqlite. Rows are returned in insertion order (rowid).
-- No FOREIGN KEY clauses: common::Sqlite::rebuild drops tables one by one with
-- foreign_keys=ON, which fails on a child whose parent is already gone. The fixture loader
-- and the domain keep the references consistent instead.

-- TrueVault accounts (tenants). Users and groups never cross accounts.
CREATE TABLE accounts (
  id   TEXT PRIMARY KEY,           -- UUID
  name TEXT NOT NULL DEFAULT ''    -- fixture label only; not served by the API
);

-- Users (truevault-api.md 4.1). DELETE deactivates: the row stays with status DEACTIVATED.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,                    -- UUID, also served as user_id
  account_id    TEXT NOT NULL,
  username      TEXT NOT NULL,                       -- unique among non-DEACTIVATED users
  password_hash TEXT,                                -- sha256 hex; NULL = cannot log in
  status        TEXT NOT NULL,                       -- ACTIVATED | PENDING | LOCKED | DEACTIVATED
  attributes    TEXT NOT NULL DEFAULT '{}',          -- JSON text (any value, null included)
  api_key       TEXT UNIQUE,                         -- the one valid API key; NULL = none
  mfa_enrolled  INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL DEFAULT 0            -- Unix ms: $tv.created_at of user search
);
-- Username lookups (exact), and user search (POST /v1/users/search, store/search_store.cpp):
-- case-insensitive eq/in and prefix wildcards on the username, ranges and the default order
-- on created_at, status filters. Every search is inside one account.
CREATE INDEX users_by_account ON users(account_id, username);
CREATE INDEX users_by_username_nocase ON users(account_id, username COLLATE NOCASE);
CREATE INDEX users_by_created ON users(account_id, created_at_ms);
CREATE INDEX users_by_status ON users(account_id, status);

-- Groups (truevault-api.md 5.1). Policy kept as written (JSON text), validated on write.
CREATE TABLE tv_groups (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  name       TEXT NOT NULL,                          -- unique per account
  policy     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX groups_by_account ON tv_groups(account_id, name);

-- Group membership, in join order.
CREATE TABLE group_members (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id TEXT NOT NULL,
  user_id  TEXT NOT NULL,
  UNIQUE (group_id, user_id)
);
CREATE INDEX members_by_user ON group_members(user_id);

-- Access tokens (3.2): 24 h by default or until not_valid_after; logout revokes.
CREATE TABLE access_tokens (
  token              TEXT PRIMARY KEY,
  user_id            TEXT NOT NULL,
  not_valid_after_ms INTEGER NOT NULL,                -- Unix ms
  revoked            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON access_tokens(user_id);

-- The Messaging-API outbox (GET/DELETE /_mock/messages): every SMS TrueVault forwarded.
-- Phone numbers are kept: this is the test inspection API, never a vendor response.
CREATE TABLE sms_outbox (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at_ms       INTEGER NOT NULL,
  user_id             TEXT NOT NULL,
  provider            TEXT NOT NULL,                  -- TWILIO
  account_sid         TEXT NOT NULL,
  from_number         TEXT NOT NULL,
  to_number           TEXT NOT NULL,
  body                TEXT NOT NULL,
  media_urls          TEXT NOT NULL DEFAULT '[]',     -- JSON array
  provider_message_id TEXT,                           -- Twilio's SM sid on success
  result              TEXT NOT NULL,                  -- success | error
  error_code          TEXT,
  error_message       TEXT
);
