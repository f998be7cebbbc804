package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// PendingOktaTasks returns every PENDING task in queue order.
func (s *OktaStore) PendingOktaTasks(ctx context.Context) ([]OktaTask, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+taskCols+` FROM okta_tasks WHERE status = 'PENDING' ORDER BY seq`)
	return collect(rows, err, scanTask, nil, -1)
}

// OktaTask finds the task of an (app, user) pair.
func (s *OktaStore) OktaTask(ctx context.Context, appID, userID string) (OktaTask, error) {
	t, err := scanTask(preparedQuerier{db: s.db}.QueryRowContext(ctx, taskByUserSQL, appID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

const taskByUserSQL = `SELECT ` + taskCols + ` FROM okta_tasks WHERE app_id = ? AND user_id = ?`

// OktaTasks lists an app's tasks ordered by id after the given id, with the
// given status (both when empty), at most limit, each with its user's login.
func (s *OktaStore) OktaTasks(ctx context.Context, appID, status, after string, limit int) ([]OktaTask, error) {
	if _, err := s.getApp(ctx, s.db.read, appID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, listTasksSQL, appID, status, after, limit)
	return collect(rows, err, scanTaskWithLogin, nil, -1)
}

// listTasksSQL walks the id index in order and stops at the limit: the
// unary + keeps SQLite off the (app_id, user_id) key, through which it would
// sort every task of the app for each page.
const listTasksSQL = `SELECT t.seq, t.id, t.app_id, t.user_id, t.kind, t.created, t.version, t.status, t.operation, t.attempts,
	t.last_error, t.first_attempt, t.last_attempt, t.retry_since, t.not_before, json_extract(u.profile, '$.login')
	FROM okta_tasks t JOIN okta_users u ON u.id = t.user_id
	WHERE +t.app_id = ?1 AND (?2 = '' OR t.status = ?2) AND t.id > ?3 ORDER BY t.id LIMIT ?4`

func scanTaskWithLogin(sc rowScanner) (OktaTask, error) {
	var t OktaTask
	err := sc.Scan(append(taskFields(&t), &t.Login)...)
	return t, err
}

// RequeueOktaTasks queues tasks of an app again at once, with a new retry
// window: those named by ids (any status), or with no ids every FAILED one.
// Unknown ids are skipped. It returns the tasks queued.
func (s *OktaStore) RequeueOktaTasks(ctx context.Context, appID string, ids []string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getApp(ctx, tx, appID); err != nil {
			return err
		}
		idList, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE okta_tasks SET status = 'PENDING', not_before = '', retry_since = '', version = version + 1
			WHERE app_id = ?1 AND (CASE WHEN ?2 THEN id IN (SELECT value FROM json_each(?3)) ELSE status = 'FAILED' END)
			RETURNING `+taskCols, appID, len(ids) > 0, string(idList))
		tasks, err = collect(rows, err, scanTask, nil, -1)
		return err
	})
	return tasks, err
}

// OktaSyncView gathers the state needed to provision one user to one app.
func (s *OktaStore) OktaSyncView(ctx context.Context, appID, userID string) (OktaSyncView, error) {
	var v OktaSyncView
	var err error
	q := preparedQuerier{db: s.db}
	v.App, err = s.getApp(ctx, q, appID)
	switch {
	case errors.Is(err, ErrNotFound):
		return v, nil
	case err != nil:
		return v, err
	}
	v.AppFound = true
	// A UserDeleted user is found here: its deactivation is still due.
	v.User, err = scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE id = ?`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return v, nil
	case err != nil:
		return v, err
	}
	v.UserFound = true
	a, err := resolveAssignment(ctx, q, appID, userID)
	if err != nil {
		return v, err
	}
	v.Assigned, v.UserType = a.assigned, a.profile["userType"]
	v.State, v.HasState, err = getState(ctx, q, appID, userID)
	return v, err
}

// SaveOktaTaskOutcome records an attempt with the account state and events
// in one transaction. It returns the task's status afterwards: "" when the
// task is finished, PENDING when it must run again (at NotBefore, or at
// once when a newer change arrived during the attempt), FAILED when given up.
func (s *OktaStore) SaveOktaTaskOutcome(ctx context.Context, o OktaTaskOutcome) (string, error) {
	var status string
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		q := preparedQuerier{db: s.db, tx: tx}
		status = ""
		if o.Done {
			res, err := q.ExecContext(ctx, deleteTaskSQL, o.AppID, o.UserID, o.Version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				status = TaskPending
			}
		} else {
			err := q.QueryRowContext(ctx, failTaskSQL, o.AppID, o.UserID, o.Version, o.Operation, o.Error, o.At, o.Status, o.NotBefore).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				status = "" // removed meanwhile (user or app deleted)
			} else if err != nil {
				return err
			}
		}
		if err := saveStateAndEvents(ctx, q, o.State, o.Events); err != nil {
			return err
		}
		if o.UserDeleted {
			_, err := q.ExecContext(ctx, purgeDeletedUserSQL, o.UserID)
			return err
		}
		return nil
	})
	return status, err
}

// OktaExternalIDLinked reports whether another user than userID is linked
// to the downstream account externalID in the app: a user created with the
// login of a deleted one, whose push found the deleted one's account.
func (s *OktaStore) OktaExternalIDLinked(ctx context.Context, appID, externalID, userID string) (bool, error) {
	var one int
	err := s.db.read.QueryRowContext(ctx, `SELECT 1 FROM okta_app_user_state WHERE app_id = ? AND external_id = ? AND user_id <> ? LIMIT 1`,
		appID, externalID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// RequeueOktaLinked queues the tasks of the users other than userID linked
// to externalID in the app, so that a deactivation of a deleted user's
// account that raced with another user's link to it is undone.
func (s *OktaStore) RequeueOktaLinked(ctx context.Context, appID, externalID, userID, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT app_id, user_id, 'resync', ?4 FROM okta_app_user_state WHERE app_id = ?1 AND external_id = ?2 AND user_id <> ?3`,
			appID, externalID, userID, now)
		return err
	})
	return tasks, err
}

const (
	deleteTaskSQL = `DELETE FROM okta_tasks WHERE app_id = ? AND user_id = ? AND version = ?`
	// failTaskSQL records a failed attempt; a task asked to become FAILED
	// stays PENDING, to run at once, when a change arrived during the attempt.
	failTaskSQL = `UPDATE okta_tasks SET attempts = attempts + 1, operation = ?4, last_error = ?5, last_attempt = ?6,
		first_attempt = CASE WHEN first_attempt = '' THEN ?6 ELSE first_attempt END,
		retry_since = CASE WHEN retry_since = '' THEN ?6 ELSE retry_since END,
		status = CASE WHEN ?7 = 'FAILED' AND version = ?3 THEN 'FAILED' ELSE 'PENDING' END,
		not_before = CASE WHEN ?7 = 'FAILED' THEN '' ELSE ?8 END
		WHERE app_id = ?1 AND user_id = ?2 RETURNING status`
	upsertStateSQL = `INSERT INTO okta_app_user_state(app_id, user_id, external_id, remote_active, status, sync_state, status_changed, last_sync, create_tried)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM okta_users WHERE id = ?2) AND EXISTS (SELECT 1 FROM okta_apps WHERE id = ?1)
		ON CONFLICT(app_id, user_id) DO UPDATE SET external_id = excluded.external_id, remote_active = excluded.remote_active,
			status = excluded.status, sync_state = excluded.sync_state, status_changed = excluded.status_changed, last_sync = excluded.last_sync,
			create_tried = excluded.create_tried`
	insertEventSQL = `INSERT INTO okta_log_events(uuid, published, event_type, outcome, actor_id, target_ids, body) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

func saveStateAndEvents(ctx context.Context, tx querier, st OktaAppUserState, events []OktaLogEvent) error {
	if st.AppID != "" {
		if _, err := tx.ExecContext(ctx, upsertStateSQL,
			st.AppID, st.UserID, st.ExternalID, st.RemoteActive, st.Status, st.SyncState, st.StatusChanged, st.LastSync, st.CreateTried); err != nil {
			return err
		}
	}
	return insertEvents(ctx, tx, events)
}

// OktaFailedCount counts FAILED provisioning tasks: the users whose last
// push failed, whose sync state is ERROR.
func (s *OktaStore) OktaFailedCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM okta_tasks WHERE status = 'FAILED'`).Scan(&n)
	return n, err
}
