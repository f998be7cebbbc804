package store

import (
	"context"
	"database/sql"
	"errors"
)

const appCols = `id, name, label, status, sign_on_mode, created, last_updated, conn_base_url, conn_token, conn_status, feat_create, feat_update, feat_deactivate`

// scanApp reads an app row; the connection token is stored sealed.
func (s *OktaStore) scanApp(sc rowScanner) (OktaApp, error) {
	var a OktaApp
	var sealed string
	err := sc.Scan(&a.ID, &a.Name, &a.Label, &a.Status, &a.SignOnMode, &a.Created, &a.LastUpdated,
		&a.ConnBaseURL, &sealed, &a.ConnStatus, &a.FeatCreate, &a.FeatUpdate, &a.FeatDeactivate)
	if err != nil {
		return a, err
	}
	a.ConnToken, err = s.db.secrets.open(sealed)
	return a, err
}

func (s *OktaStore) getApp(ctx context.Context, q querier, id string) (OktaApp, error) {
	a, err := s.scanApp(q.QueryRowContext(ctx, `SELECT `+appCols+` FROM okta_apps WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// CreateOktaApp stores an app instance.
func (s *OktaStore) CreateOktaApp(ctx context.Context, a OktaApp) error {
	sealed, err := s.db.secrets.seal(a.ConnToken)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_apps(`+appCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Name, a.Label, a.Status, a.SignOnMode, a.Created, a.LastUpdated,
			a.ConnBaseURL, sealed, a.ConnStatus, a.FeatCreate, a.FeatUpdate, a.FeatDeactivate)
		if uniqueViolation(err) {
			return ErrConflict
		}
		return err
	})
}

// OktaApp finds an app by id.
func (s *OktaStore) OktaApp(ctx context.Context, id string) (OktaApp, error) {
	return s.getApp(ctx, s.db.read, id)
}

// OktaApps lists apps ordered by id after the given id, keeping those match
// accepts, at most limit.
func (s *OktaStore) OktaApps(ctx context.Context, after string, limit int, match func(OktaApp) bool) ([]OktaApp, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+appCols+` FROM okta_apps WHERE id > ? ORDER BY id`, after)
	return collect(rows, err, s.scanApp, match, limit)
}

// UpdateOktaApp changes an app through fn. When fn returns a task kind, a
// task of that kind is queued for every user of the app whose downstream
// account is not synchronized (assigned, or holding an account whose last
// change was not pushed) and every FAILED task of the app is queued again:
// used when provisioning becomes possible or its credentials change.
func (s *OktaStore) UpdateOktaApp(ctx context.Context, id string, fn func(*OktaApp) (string, error)) (OktaApp, []OktaTask, error) {
	var out OktaApp
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		tasks = nil
		a, err := s.getApp(ctx, tx, id)
		if err != nil {
			return err
		}
		kind, err := fn(&a)
		if err != nil {
			return err
		}
		sealed, err := s.db.secrets.seal(a.ConnToken)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE okta_apps SET name = ?, label = ?, status = ?, sign_on_mode = ?, last_updated = ?,
			conn_base_url = ?, conn_token = ?, conn_status = ?, feat_create = ?, feat_update = ?, feat_deactivate = ? WHERE id = ?`,
			a.Name, a.Label, a.Status, a.SignOnMode, a.LastUpdated, a.ConnBaseURL, sealed, a.ConnStatus,
			a.FeatCreate, a.FeatUpdate, a.FeatDeactivate, a.ID); err != nil {
			return err
		}
		out = a
		if kind == "" {
			return nil
		}
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT ?1, user_id, ?2, ?3 FROM (
				SELECT a.user_id FROM (`+assignedUsersSQL+`) a
				LEFT JOIN okta_app_user_state st ON st.app_id = ?1 AND st.user_id = a.user_id
				WHERE st.sync_state IS NULL OR st.sync_state <> 'SYNCHRONIZED'
				UNION SELECT user_id FROM okta_app_user_state WHERE app_id = ?1 AND sync_state <> 'SYNCHRONIZED'
				UNION SELECT user_id FROM okta_tasks WHERE app_id = ?1 AND status = 'FAILED') WHERE true`, a.ID, kind, a.LastUpdated)
		return err
	})
	return out, tasks, err
}

// DeleteOktaApp removes an app with its connection, assignments,
// provisioning state and queued tasks. It refuses an ACTIVE app with
// ErrConflict: Okta deletes only deactivated apps.
func (s *OktaStore) DeleteOktaApp(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		a, err := s.getApp(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status == "ACTIVE" {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM okta_tasks WHERE app_id = ?`, id); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM okta_apps WHERE id = ?`, id); err != nil {
			return err
		}
		// Deleted users kept only to deactivate their accounts in this app
		// have nothing left to do.
		_, err = tx.ExecContext(ctx, `DELETE FROM okta_users WHERE status = 'DELETED'
			AND NOT EXISTS (SELECT 1 FROM okta_app_user_state st WHERE st.user_id = okta_users.id)`)
		return err
	})
}

// userGroupsOfApp joins a user's group memberships (m, to be narrowed by
// m.user_id) to the group assignments of app ? (g). CROSS JOIN keeps SQLite
// from starting with the app's group assignments: with thousands of them,
// that costs one probe per assigned group for every user looked up.
const userGroupsOfApp = `okta_group_members m CROSS JOIN okta_app_groups g ON g.app_id = ? AND g.group_id = m.group_id`

// assignedUsersSQL selects the ids of the users assigned to app ?1.
const assignedUsersSQL = `SELECT user_id FROM okta_app_user_direct WHERE app_id = ?1
	UNION SELECT m.user_id FROM okta_app_groups g JOIN okta_group_members m ON m.group_id = g.group_id WHERE g.app_id = ?1`
