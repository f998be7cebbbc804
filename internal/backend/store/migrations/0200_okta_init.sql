-- The Okta face: directory (users, groups), apps with their provisioning
-- connection and features, assignments, the provisioning engine's state and
-- durable task queue, and the System Log. Timestamps are UTC strings in Okta's
-- format (2006-01-02T15:04:05.000Z), which sort chronologically.

CREATE TABLE okta_api_tokens (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	token_hash  TEXT NOT NULL UNIQUE,
	created     TEXT NOT NULL
);

CREATE TABLE okta_users (
	id              TEXT PRIMARY KEY,
	status          TEXT NOT NULL,
	login_lower     TEXT NOT NULL UNIQUE,
	profile         TEXT NOT NULL,
	created         TEXT NOT NULL,
	activated       TEXT NOT NULL DEFAULT '',
	status_changed  TEXT NOT NULL DEFAULT '',
	last_updated    TEXT NOT NULL
);

CREATE TABLE okta_groups (
	id                       TEXT PRIMARY KEY,
	type                     TEXT NOT NULL,
	name                     TEXT NOT NULL,
	name_lower               TEXT NOT NULL UNIQUE,
	description              TEXT NOT NULL DEFAULT '',
	created                  TEXT NOT NULL,
	last_updated             TEXT NOT NULL,
	last_membership_updated  TEXT NOT NULL
);

CREATE TABLE okta_group_members (
	group_id  TEXT NOT NULL REFERENCES okta_groups(id) ON DELETE CASCADE,
	user_id   TEXT NOT NULL REFERENCES okta_users(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX okta_group_members_user ON okta_group_members(user_id);

CREATE TABLE okta_apps (
	id                 TEXT PRIMARY KEY,
	name               TEXT NOT NULL,
	label              TEXT NOT NULL,
	status             TEXT NOT NULL,
	sign_on_mode       TEXT NOT NULL,
	created            TEXT NOT NULL,
	last_updated       TEXT NOT NULL,
	conn_base_url      TEXT NOT NULL DEFAULT '',
	conn_token         TEXT NOT NULL DEFAULT '',
	conn_status        TEXT NOT NULL DEFAULT 'DISABLED',
	feat_create        INTEGER NOT NULL DEFAULT 0,
	feat_update        INTEGER NOT NULL DEFAULT 0,
	feat_deactivate    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE okta_app_groups (
	app_id        TEXT NOT NULL REFERENCES okta_apps(id) ON DELETE CASCADE,
	group_id      TEXT NOT NULL REFERENCES okta_groups(id) ON DELETE CASCADE,
	priority      INTEGER NOT NULL,
	profile       TEXT NOT NULL,
	created       TEXT NOT NULL,
	last_updated  TEXT NOT NULL,
	PRIMARY KEY (app_id, group_id)
) WITHOUT ROWID;
CREATE INDEX okta_app_groups_group ON okta_app_groups(group_id);

-- Direct (scope USER) assignments; group assignments are derived from
-- okta_app_groups and okta_group_members.
CREATE TABLE okta_app_user_direct (
	app_id        TEXT NOT NULL REFERENCES okta_apps(id) ON DELETE CASCADE,
	user_id       TEXT NOT NULL REFERENCES okta_users(id) ON DELETE CASCADE,
	profile       TEXT NOT NULL,
	created       TEXT NOT NULL,
	last_updated  TEXT NOT NULL,
	PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;
CREATE INDEX okta_app_user_direct_user ON okta_app_user_direct(user_id);

-- What the engine knows of each user's account downstream. It outlives the
-- assignment so that a reassigned user is reactivated, not created twice.
CREATE TABLE okta_app_user_state (
	app_id          TEXT NOT NULL REFERENCES okta_apps(id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES okta_users(id) ON DELETE CASCADE,
	external_id     TEXT NOT NULL DEFAULT '',
	remote_active   INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL,
	sync_state      TEXT NOT NULL,
	status_changed  TEXT NOT NULL,
	last_sync       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;
CREATE INDEX okta_app_user_state_user ON okta_app_user_state(user_id);
CREATE INDEX okta_app_user_state_sync ON okta_app_user_state(sync_state);

CREATE TABLE okta_tasks (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id      TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	kind        TEXT NOT NULL,
	created     TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	not_before  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX okta_tasks_app_user ON okta_tasks(app_id, user_id);

CREATE TABLE okta_log_events (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	uuid        TEXT NOT NULL UNIQUE,
	published   TEXT NOT NULL,
	event_type  TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	target_ids  TEXT NOT NULL,
	body        TEXT NOT NULL
);
CREATE INDEX okta_log_events_published ON okta_log_events(published, seq);
