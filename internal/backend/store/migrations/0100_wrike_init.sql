-- Wrike face: account, admin tokens, approved domains, API apps, SCIM integrations and users.
CREATE TABLE wrike_account (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- Tokens are kept only as SHA-256 hashes.
CREATE TABLE wrike_admin_tokens (
	id         TEXT PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

CREATE TABLE wrike_approved_domains (
	id         TEXT PRIMARY KEY,
	domain     TEXT NOT NULL UNIQUE, -- lower-cased
	created_at TEXT NOT NULL
);

CREATE TABLE wrike_api_apps (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	description      TEXT NOT NULL DEFAULT '',
	token_hash       BLOB NOT NULL UNIQUE,
	created_at       TEXT NOT NULL,
	token_created_at TEXT NOT NULL
);

CREATE TABLE wrike_scim_integrations (
	provider          TEXT PRIMARY KEY,
	enabled           INTEGER NOT NULL DEFAULT 0,
	default_user_type TEXT NOT NULL DEFAULT 'Regular',
	updated_at        TEXT NOT NULL
);

-- seq gives the stable order used for SCIM paging; AUTOINCREMENT never reuses a value.
CREATE TABLE wrike_users (
	seq               INTEGER PRIMARY KEY AUTOINCREMENT,
	id                TEXT NOT NULL UNIQUE,
	user_name_lower   TEXT NOT NULL UNIQUE,
	external_id       TEXT,
	active            INTEGER NOT NULL,
	user_type         TEXT NOT NULL,
	identity_provider TEXT NOT NULL,
	version           INTEGER NOT NULL,
	created_at        TEXT NOT NULL,
	modified_at       TEXT NOT NULL,
	resource          TEXT NOT NULL -- the SCIM resource as served, JSON
);
CREATE INDEX wrike_users_external_id ON wrike_users(external_id);

CREATE TABLE wrike_user_emails (
	user_seq INTEGER NOT NULL REFERENCES wrike_users(seq) ON DELETE CASCADE,
	value    TEXT NOT NULL, -- lower-cased
	PRIMARY KEY (user_seq, value)
) WITHOUT ROWID;
CREATE INDEX wrike_user_emails_value ON wrike_user_emails(value);
