package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

const userCols = `id, status, profile, created, activated, status_changed, last_updated`

func scanUser(sc rowScanner) (OktaUser, error) {
	var u OktaUser
	var profile string
	if err := sc.Scan(&u.ID, &u.Status, &profile, &u.Created, &u.Activated, &u.StatusChanged, &u.LastUpdated); err != nil {
		return u, err
	}
	p, err := decodeProfile(profile)
	u.Profile = p
	return u, err
}

// UserDeleted is the status of a user deleted in Okta whose downstream
// accounts are still to be deactivated: invisible to the API (not found,
// not listed, its login free again), kept only so that the engine can
// finish offboarding it, and removed once it has.
const UserDeleted = "DELETED"

func getUser(ctx context.Context, q querier, idOrLogin string) (OktaUser, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE (id = ?1 OR login_lower = ?2) AND status <> 'DELETED' LIMIT 1`,
		idOrLogin, mailaddr.Key(idOrLogin)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// CreateOktaUsers stores new users, each a member of the built-in Everyone
// group and of the given groups, and queues provisioning for the apps those
// groups are assigned to. A login already taken is ErrConflict, an unknown
// group ErrNotFound; either way nothing is stored.
func (s *OktaStore) CreateOktaUsers(ctx context.Context, users []OktaUser, groupIDs []string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		tasks = tasks[:0]
		q := preparedQuerier{db: s.db, tx: tx}
		for _, u := range users {
			if _, err := q.ExecContext(ctx, insertUserSQL, u.ID, u.Status, encodeProfile(u.Profile), u.Created, u.Activated, u.StatusChanged, u.LastUpdated,
				mailaddr.Key(u.Login())); err != nil {
				if uniqueViolation(err) {
					return ErrConflict
				}
				return err
			}
			if _, err := q.ExecContext(ctx, addMemberSQL, "", u.ID); err != nil {
				return err
			}
			for _, g := range groupIDs {
				res, err := q.ExecContext(ctx, addMemberSQL, g, u.ID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					if err := groupExists(ctx, tx, g); err != nil {
						return err
					}
				}
			}
			t, err := enqueueForUser(ctx, q, u.ID, "assign", u.Created)
			if err != nil {
				return err
			}
			tasks = append(tasks, t...)
		}
		return nil
	})
	return tasks, err
}

// The user creates, prepared once (see NewOktaStore): users are created by
// the thousand.
const (
	insertUserSQL = `INSERT INTO okta_users(` + userCols + `, login_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	// addMemberSQL adds user ?2 to group ?1 and to the built-in Everyone
	// group (?1 empty: to Everyone alone).
	addMemberSQL = `INSERT OR IGNORE INTO okta_group_members(group_id, user_id)
		SELECT id, ?2 FROM okta_groups WHERE type = 'BUILT_IN' OR id = ?1`
)

var oktaUserWrites = []string{insertUserSQL, addMemberSQL}

func groupExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM okta_groups WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// CanonicalOktaLogins rewrites the login keys of users stored before keys
// were canonical (strings.ToLower turned U+212A KELVIN SIGN into "k", so a
// look-alike held the real login's key) and reports how many changed. Only
// profiles holding non-ASCII text are read; a key another user already
// holds is left as it was.
func (s *OktaStore) CanonicalOktaLogins(ctx context.Context) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, profile, login_lower FROM okta_users WHERE profile GLOB ? AND status <> 'DELETED'`, "*[^\x01-\x7f]*")
		if err != nil {
			return err
		}
		type rekey struct{ id, key string }
		var changed []rekey
		for rows.Next() {
			var id, profile, key string
			if err := rows.Scan(&id, &profile, &key); err != nil {
				_ = rows.Close()
				return err
			}
			p, err := decodeProfile(profile)
			if err != nil {
				_ = rows.Close()
				return err
			}
			if k := mailaddr.Key(p["login"]); k != key {
				changed = append(changed, rekey{id, k})
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, c := range changed {
			res, err := tx.ExecContext(ctx, `UPDATE OR IGNORE okta_users SET login_lower = ? WHERE id = ?`, c.key, c.id)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n += m
		}
		return nil
	})
	return int(n), err
}

// OktaUser finds a user by id or login (in canonical form, see mailaddr.Key).
func (s *OktaStore) OktaUser(ctx context.Context, idOrLogin string) (OktaUser, error) {
	return getUser(ctx, s.db.read, idOrLogin)
}

// OktaUsers lists users ordered by id after the given id, keeping those match
// accepts (all when nil), at most limit.
func (s *OktaStore) OktaUsers(ctx context.Context, after string, limit int, match func(OktaUser) bool) ([]OktaUser, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE id > ? AND status <> 'DELETED' ORDER BY id`, after)
	return collect(rows, err, scanUser, match, limit)
}

// UpdateOktaUser changes a user through fn inside one transaction and, when
// kind is not empty, queues provisioning of that kind for every app the user
// is assigned to or was provisioned to. fn's error aborts the change.
func (s *OktaStore) UpdateOktaUser(ctx context.Context, id string, kind string, fn func(*OktaUser) error) (OktaUser, []OktaTask, error) {
	var out OktaUser
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE okta_users SET status = ?, profile = ?, login_lower = ?, activated = ?, status_changed = ?, last_updated = ? WHERE id = ?`,
			u.Status, encodeProfile(u.Profile), mailaddr.Key(u.Login()), u.Activated, u.StatusChanged, u.LastUpdated, u.ID); err != nil {
			if uniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
		out = u
		tasks = nil
		if kind != "" {
			tasks, err = enqueueForUser(ctx, preparedQuerier{db: s.db, tx: tx}, u.ID, kind, u.LastUpdated)
		}
		return err
	})
	return out, tasks, err
}

// DeleteOktaUser removes a user with its memberships, assignments and
// provisioning state. A user still holding an active downstream account
// (its deactivation not pushed yet: an outage, a backoff), or with a task
// (a create may be on its way), is kept as UserDeleted until the engine has
// settled it, with a task queued for each such app, returned.
func (s *OktaStore) DeleteOktaUser(ctx context.Context, id, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		tasks = nil
		if _, err := getUser(ctx, tx, id); err != nil {
			return err
		}
		var err error
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT app_id, ?1, 'delete', ?2 FROM (`+offboardingSQL+`) WHERE true`, id, now)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM okta_app_user_direct WHERE user_id = ?`,
			`DELETE FROM okta_group_members WHERE user_id = ?`,
			`DELETE FROM okta_app_user_state WHERE user_id = ?1 AND app_id NOT IN (SELECT app_id FROM okta_tasks WHERE user_id = ?1)`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		if len(tasks) > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE okta_users SET status = 'DELETED', login_lower = 'deleted:' || id,
				status_changed = ?2, last_updated = ?2 WHERE id = ?1`, id, now)
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM okta_users WHERE id = ?`, id)
		return err
	})
	return tasks, err
}

// activeAccountsSQL selects the apps where user ?1 holds a downstream
// account the engine has not deactivated.
const activeAccountsSQL = `SELECT app_id FROM okta_app_user_state WHERE user_id = ?1 AND external_id <> '' AND remote_active`

// offboardingSQL selects the apps the engine must still settle for a user
// being deleted: an active account, an account that a create whose answer
// was lost may have made (create_tried), or a task.
const offboardingSQL = activeAccountsSQL + ` UNION SELECT app_id FROM okta_app_user_state WHERE user_id = ?1 AND external_id = '' AND create_tried
	UNION SELECT app_id FROM okta_tasks WHERE user_id = ?1`

// purgeDeletedUserSQL removes a UserDeleted user once nothing is left to
// deactivate: no task, no active downstream account.
const purgeDeletedUserSQL = `DELETE FROM okta_users WHERE id = ?1 AND status = 'DELETED'
	AND NOT EXISTS (SELECT 1 FROM okta_tasks WHERE user_id = ?1) AND NOT EXISTS (` + activeAccountsSQL + `)`

// enqueueForUser queues a task for every app the user is assigned to or holds
// a downstream account in.
// It runs prepared (NewOktaStore prepares it): users are created and changed by the
// thousand.
func enqueueForUser(ctx context.Context, q querier, userID, kind, now string) ([]OktaTask, error) {
	return insertTasks(ctx, q, enqueueForUserSQL, userID, kind, now)
}

const enqueueForUserSQL = `INSERT INTO okta_tasks(app_id, user_id, kind, created)
	SELECT app_id, ?1, ?2, ?3 FROM (
		SELECT app_id FROM okta_app_user_direct WHERE user_id = ?1
		UNION SELECT g.app_id FROM okta_app_groups g JOIN okta_group_members m ON m.group_id = g.group_id WHERE m.user_id = ?1
		UNION SELECT app_id FROM okta_app_user_state WHERE user_id = ?1 AND external_id <> '') WHERE true`

// queueTask completes an INSERT INTO okta_tasks(app_id, user_id, kind,
// created) so that a change to a user with a task already queued bumps that
// task's version instead of adding another, and a FAILED task is queued
// again with a new retry window: the user's latest state is what the next
// attempt pushes.
const queueTask = ` ON CONFLICT(app_id, user_id) DO UPDATE SET version = version + 1, kind = excluded.kind,
	not_before = CASE WHEN status = 'FAILED' THEN '' ELSE not_before END,
	retry_since = CASE WHEN status = 'FAILED' THEN '' ELSE retry_since END,
	status = 'PENDING'
	RETURNING ` + taskCols

const taskCols = `seq, id, app_id, user_id, kind, created, version, status, operation, attempts, last_error,
	first_attempt, last_attempt, retry_since, not_before`

// taskFields are the destinations of taskCols, in order.
func taskFields(t *OktaTask) []any {
	return []any{&t.Seq, &t.ID, &t.AppID, &t.UserID, &t.Kind, &t.Created, &t.Version, &t.Status, &t.Operation,
		&t.Attempts, &t.LastError, &t.FirstAttempt, &t.LastAttempt, &t.RetrySince, &t.NotBefore}
}

func scanTask(sc rowScanner) (OktaTask, error) {
	var t OktaTask
	err := sc.Scan(taskFields(&t)...)
	return t, err
}

// insertTasks runs an INSERT INTO okta_tasks ... SELECT (ending in a WHERE
// clause, which SQLite needs before an upsert) or ... VALUES, as queueTask
// completes it, and returns the queued tasks.
func insertTasks(ctx context.Context, q querier, query string, args ...any) ([]OktaTask, error) {
	rows, err := q.QueryContext(ctx, query+queueTask, args...)
	return collect(rows, err, scanTask, nil, -1)
}
