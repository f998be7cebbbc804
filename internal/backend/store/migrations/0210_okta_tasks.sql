-- Provisioning tasks become one row per (app, user): the engine settles a
-- user by reading the current Okta state, so further changes to a queued user
-- only bump the row's version (the engine finishes a task only if no change
-- arrived while it ran). A task that cannot succeed stays as FAILED with its
-- attempts and last error, listed and retried through the tasks API, instead
-- of vanishing. Times are in Okta's format; retry_since starts the current
-- retry window (a manual retry or a new change opens a new one).

CREATE TABLE okta_tasks_v2 (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT NOT NULL UNIQUE DEFAULT ('tsk' || lower(hex(randomblob(9)))),
	app_id         TEXT NOT NULL REFERENCES okta_apps(id) ON DELETE CASCADE,
	user_id        TEXT NOT NULL REFERENCES okta_users(id) ON DELETE CASCADE,
	kind           TEXT NOT NULL,
	created        TEXT NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1,
	status         TEXT NOT NULL DEFAULT 'PENDING',
	operation      TEXT NOT NULL DEFAULT '',
	attempts       INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '',
	first_attempt  TEXT NOT NULL DEFAULT '',
	last_attempt   TEXT NOT NULL DEFAULT '',
	retry_since    TEXT NOT NULL DEFAULT '',
	not_before     TEXT NOT NULL DEFAULT '',
	UNIQUE (app_id, user_id)
);

INSERT INTO okta_tasks_v2(app_id, user_id, kind, created, attempts, not_before)
	SELECT app_id, user_id, max(kind), min(created), max(attempts), max(not_before) FROM okta_tasks
	WHERE app_id IN (SELECT id FROM okta_apps) AND user_id IN (SELECT id FROM okta_users)
	GROUP BY app_id, user_id;

-- A push that failed before this version left only the ERROR sync state.
INSERT INTO okta_tasks_v2(app_id, user_id, kind, created, status)
	SELECT app_id, user_id, 'resync', status_changed, 'FAILED' FROM okta_app_user_state WHERE sync_state = 'ERROR'
	ON CONFLICT(app_id, user_id) DO NOTHING;

DROP TABLE okta_tasks;
-- The (app_id, user_id) key serves the listing by app too: one index fewer
-- to maintain on the engine's hot path.
ALTER TABLE okta_tasks_v2 RENAME TO okta_tasks;
