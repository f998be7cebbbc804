package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

const groupCols = `id, type, name, description, created, last_updated, last_membership_updated`

func scanGroup(sc rowScanner) (OktaGroup, error) {
	var g OktaGroup
	err := sc.Scan(&g.ID, &g.Type, &g.Name, &g.Description, &g.Created, &g.LastUpdated, &g.LastMembershipUpdated)
	return g, err
}

// EnsureOktaEveryoneGroup creates the built-in Everyone group unless it
// exists, and returns it.
func (s *OktaStore) EnsureOktaEveryoneGroup(ctx context.Context, g OktaGroup) (OktaGroup, error) {
	var out OktaGroup
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		got, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupCols+` FROM okta_groups WHERE type = 'BUILT_IN'`))
		if err == nil {
			out = got
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO okta_groups(`+groupCols+`, name_lower) VALUES (?, 'BUILT_IN', ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Name, g.Description, g.Created, g.LastUpdated, g.LastMembershipUpdated, strings.ToLower(g.Name)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO okta_group_members(group_id, user_id) SELECT ?, id FROM okta_users WHERE status <> 'DELETED'`, g.ID); err != nil {
			return err
		}
		g.Type = "BUILT_IN"
		out = g
		return nil
	})
	return out, err
}

// CreateOktaGroup stores a group; a name already taken is ErrConflict.
func (s *OktaStore) CreateOktaGroup(ctx context.Context, g OktaGroup) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_groups(`+groupCols+`, name_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Type, g.Name, g.Description, g.Created, g.LastUpdated, g.LastMembershipUpdated, strings.ToLower(g.Name))
		if uniqueViolation(err) {
			return ErrConflict
		}
		return err
	})
}

// OktaGroup finds a group by id.
func (s *OktaStore) OktaGroup(ctx context.Context, id string) (OktaGroup, error) {
	g, err := scanGroup(s.db.read.QueryRowContext(ctx, `SELECT `+groupCols+` FROM okta_groups WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// OktaGroups lists groups ordered by id after the given id, keeping those
// match accepts, at most limit.
func (s *OktaStore) OktaGroups(ctx context.Context, after string, limit int, match func(OktaGroup) bool) ([]OktaGroup, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+groupCols+` FROM okta_groups WHERE id > ? ORDER BY id`, after)
	return collect(rows, err, scanGroup, match, limit)
}

// UpdateOktaGroup changes a group's profile through fn.
func (s *OktaStore) UpdateOktaGroup(ctx context.Context, id string, fn func(*OktaGroup) error) (OktaGroup, error) {
	var out OktaGroup
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		g, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupCols+` FROM okta_groups WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE okta_groups SET name = ?, name_lower = ?, description = ?, last_updated = ? WHERE id = ?`,
			g.Name, strings.ToLower(g.Name), g.Description, g.LastUpdated, g.ID)
		if uniqueViolation(err) {
			return ErrConflict
		}
		out = g
		return err
	})
	return out, err
}

// DeleteOktaGroup removes a group, its memberships and app assignments, and
// queues provisioning for the members of the apps it was assigned to.
func (s *OktaStore) DeleteOktaGroup(ctx context.Context, id, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := groupExists(ctx, tx, id); err != nil {
			return err
		}
		var err error
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT g.app_id, m.user_id, 'unassign', ?2 FROM okta_app_groups g JOIN okta_group_members m ON m.group_id = g.group_id
			WHERE g.group_id = ?1`, id, now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM okta_groups WHERE id = ?`, id)
		return err
	})
	return tasks, err
}

// OktaGroupMembers lists a group's members ordered by id after the given id.
func (s *OktaStore) OktaGroupMembers(ctx context.Context, groupID, after string, limit int) ([]OktaUser, error) {
	if err := groupExists(ctx, s.db.read, groupID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT u.id, u.status, u.profile, u.created, u.activated, u.status_changed, u.last_updated
		FROM okta_group_members m JOIN okta_users u ON u.id = m.user_id
		WHERE m.group_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?`, groupID, after, limit)
	return collect(rows, err, scanUser, nil, -1)
}

// OktaUserGroups lists the groups a user belongs to.
func (s *OktaStore) OktaUserGroups(ctx context.Context, userID string) ([]OktaGroup, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT g.id, g.type, g.name, g.description, g.created, g.last_updated, g.last_membership_updated
		FROM okta_group_members m JOIN okta_groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.id`, userID)
	return collect(rows, err, scanGroup, nil, -1)
}

// SetOktaGroupMember adds (member true) or removes a user from a group and
// queues provisioning for the apps the group is assigned to. Adding a member
// twice or removing a non-member changes nothing and queues nothing.
func (s *OktaStore) SetOktaGroupMember(ctx context.Context, groupID, userID string, member bool, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		tasks = nil
		if err := groupExists(ctx, tx, groupID); err != nil {
			return err
		}
		if _, err := getUser(ctx, tx, userID); err != nil {
			return err
		}
		var res sql.Result
		var err error
		kind := "assign"
		if member {
			res, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO okta_group_members(group_id, user_id) VALUES (?, ?)`, groupID, userID)
		} else {
			kind = "unassign"
			res, err = tx.ExecContext(ctx, `DELETE FROM okta_group_members WHERE group_id = ? AND user_id = ?`, groupID, userID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE okta_groups SET last_membership_updated = ? WHERE id = ?`, now, groupID); err != nil {
			return err
		}
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT app_id, ?2, ?3, ?4 FROM okta_app_groups WHERE group_id = ?1`, groupID, userID, kind, now)
		return err
	})
	return tasks, err
}
