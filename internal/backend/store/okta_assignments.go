package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
)

func scanAppGroup(sc rowScanner) (OktaAppGroup, error) {
	var g OktaAppGroup
	var profile string
	if err := sc.Scan(&g.AppID, &g.GroupID, &g.Priority, &profile, &g.Created, &g.LastUpdated); err != nil {
		return g, err
	}
	p, err := decodeProfile(profile)
	g.Profile = p
	return g, err
}

// PutOktaAppGroup assigns a group to an app, or updates the assignment, and
// queues provisioning for the group's members.
func (s *OktaStore) PutOktaAppGroup(ctx context.Context, ag OktaAppGroup) (OktaAppGroup, []OktaTask, error) {
	var out OktaAppGroup
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getApp(ctx, tx, ag.AppID); err != nil {
			return err
		}
		if err := groupExists(ctx, tx, ag.GroupID); err != nil {
			return err
		}
		g, err := scanAppGroup(tx.QueryRowContext(ctx, `INSERT INTO okta_app_groups(app_id, group_id, priority, profile, created, last_updated)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(app_id, group_id) DO UPDATE SET priority = excluded.priority, profile = excluded.profile, last_updated = excluded.last_updated
			RETURNING app_id, group_id, priority, profile, created, last_updated`,
			ag.AppID, ag.GroupID, ag.Priority, encodeProfile(ag.Profile), ag.Created, ag.LastUpdated))
		if err != nil {
			return err
		}
		out = g
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT ?1, user_id, 'assign', ?3 FROM okta_group_members WHERE group_id = ?2`, ag.AppID, ag.GroupID, ag.LastUpdated)
		return err
	})
	return out, tasks, err
}

// OktaAppGroup finds a group assignment.
func (s *OktaStore) OktaAppGroup(ctx context.Context, appID, groupID string) (OktaAppGroup, error) {
	g, err := scanAppGroup(s.db.read.QueryRowContext(ctx, `SELECT app_id, group_id, priority, profile, created, last_updated
		FROM okta_app_groups WHERE app_id = ? AND group_id = ?`, appID, groupID))
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// OktaAppGroups lists an app's group assignments ordered by group id.
func (s *OktaStore) OktaAppGroups(ctx context.Context, appID, after string, limit int) ([]OktaAppGroup, error) {
	if _, err := s.getApp(ctx, s.db.read, appID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT app_id, group_id, priority, profile, created, last_updated
		FROM okta_app_groups WHERE app_id = ? AND group_id > ? ORDER BY group_id LIMIT ?`, appID, after, limit)
	return collect(rows, err, scanAppGroup, nil, -1)
}

// DeleteOktaAppGroup removes a group assignment and queues provisioning for
// the group's members.
func (s *OktaStore) DeleteOktaAppGroup(ctx context.Context, appID, groupID, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM okta_app_groups WHERE app_id = ? AND group_id = ?`, appID, groupID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created)
			SELECT ?1, user_id, 'unassign', ?3 FROM okta_group_members WHERE group_id = ?2`, appID, groupID, now)
		return err
	})
	return tasks, err
}

// PutOktaAppUser assigns a user to an app directly (scope USER), or updates
// the direct assignment's profile, and queues provisioning.
func (s *OktaStore) PutOktaAppUser(ctx context.Context, appID, userID string, profile map[string]string, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getApp(ctx, tx, appID); err != nil {
			return err
		}
		if _, err := getUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO okta_app_user_direct(app_id, user_id, profile, created, last_updated) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(app_id, user_id) DO UPDATE SET profile = excluded.profile, last_updated = excluded.last_updated`,
			appID, userID, encodeProfile(profile), now, now); err != nil {
			return err
		}
		var err error
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created) VALUES (?, ?, 'assign', ?)`, appID, userID, now)
		return err
	})
	return tasks, err
}

// DeleteOktaAppUser removes a direct assignment and queues provisioning.
// ErrNotFound when the user is not assigned at all; ErrConflict when the user
// is assigned only through groups.
func (s *OktaStore) DeleteOktaAppUser(ctx context.Context, appID, userID, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM okta_app_user_direct WHERE app_id = ? AND user_id = ?`, appID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+userGroupsOfApp+` WHERE m.user_id = ? LIMIT 1`, appID, userID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return ErrConflict
		}
		tasks, err = insertTasks(ctx, tx, `INSERT INTO okta_tasks(app_id, user_id, kind, created) VALUES (?, ?, 'unassign', ?)`, appID, userID, now)
		return err
	})
	return tasks, err
}

// OktaAppUser is a user's effective assignment to an app; ErrNotFound when
// the user is not assigned.
func (s *OktaStore) OktaAppUser(ctx context.Context, appID, userID string) (OktaAppUser, error) {
	return appUser(ctx, s.db.read, appID, userID)
}

// OktaAppUsers lists an app's assigned users ordered by user id.
func (s *OktaStore) OktaAppUsers(ctx context.Context, appID, after string, limit int) ([]OktaAppUser, error) {
	if _, err := s.getApp(ctx, s.db.read, appID); err != nil {
		return nil, err
	}
	ids, err := s.assignedUserPage(ctx, appID, after, limit)
	if err != nil {
		return nil, err
	}
	byID, err := appUsers(ctx, s.db.read, appID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]OktaAppUser, 0, len(ids))
	for _, id := range ids {
		if au, ok := byID[id]; ok { // else unassigned between the two queries
			out = append(out, au)
		}
	}
	return out, nil
}

// mergedPageMaxGroups is the most group assignments for which
// assignedUserPage merges one page per source; past it, one query per group
// and page costs more than building the union. A variable so that tests
// can take either way.
var mergedPageMaxGroups = 32

// assignedUserPage is the page of the app's assigned users after the id
// after, in id order. The first limit ids of the union are among the first
// limit of each source (direct assignments, each assigned group's members),
// so with few groups it reads at most limit rows per source, each an
// ordered range of its key, instead of building the union of every assigned
// user (an app assigned to Everyone has every user in it). With many groups
// it reads the union in one query.
func (s *OktaStore) assignedUserPage(ctx context.Context, appID, after string, limit int) ([]string, error) {
	scanID := func(sc rowScanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT group_id FROM okta_app_groups WHERE app_id = ?1 LIMIT ?2`, appID, mergedPageMaxGroups+1)
	groups, err := collect(rows, err, scanID, nil, -1)
	if err != nil {
		return nil, err
	}
	if len(groups) > mergedPageMaxGroups {
		rows, err := s.db.read.QueryContext(ctx, `SELECT user_id FROM (`+assignedUsersSQL+`) WHERE user_id > ?2 ORDER BY user_id LIMIT ?3`, appID, after, limit)
		return collect(rows, err, scanID, nil, -1)
	}
	seen := map[string]bool{}
	var ids []string
	add := func(query string, key string) error {
		rows, err := s.db.read.QueryContext(ctx, query, key, after, limit)
		page, err := collect(rows, err, scanID, nil, -1)
		for _, id := range page {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return err
	}
	if err := add(`SELECT user_id FROM okta_app_user_direct WHERE app_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3`, appID); err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := add(`SELECT user_id FROM okta_group_members WHERE group_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3`, g); err != nil {
			return nil, err
		}
	}
	slices.Sort(ids)
	if limit >= 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// assignment resolves a user's assignment to an app: whether it exists,
// whether it is direct, its timestamps and its effective profile.
type assignment struct {
	assigned, direct     bool
	profile              map[string]string
	created, lastUpdated string
}

func resolveAssignment(ctx context.Context, q querier, appID, userID string) (assignment, error) {
	var a assignment
	var profile string
	err := q.QueryRowContext(ctx, `SELECT profile, created, last_updated FROM okta_app_user_direct WHERE app_id = ? AND user_id = ?`, appID, userID).
		Scan(&profile, &a.created, &a.lastUpdated)
	switch {
	case err == nil:
		a.assigned, a.direct = true, true
		if a.profile, err = decodeProfile(profile); err != nil {
			return a, err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return a, err
	}
	rows, err := q.QueryContext(ctx, `SELECT g.profile, g.created, g.last_updated FROM `+userGroupsOfApp+`
		WHERE m.user_id = ? ORDER BY g.priority, g.created, g.group_id`, appID, userID)
	if err != nil {
		return a, err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var created, updated string
		if err := rows.Scan(&profile, &created, &updated); err != nil {
			return a, err
		}
		if err := a.addGroup(profile, created, updated); err != nil {
			return a, err
		}
	}
	return a, rows.Err()
}

// addGroup adds a group assignment to a, groups taken in priority order.
func (a *assignment) addGroup(profile, created, updated string) error {
	p, err := decodeProfile(profile)
	if err != nil {
		return err
	}
	if !a.assigned {
		a.assigned = true
		a.created, a.lastUpdated = created, updated
		a.profile = map[string]string{}
	}
	// A direct assignment's attributes win; groups fill in what it
	// leaves out, the highest-priority group first.
	for k, v := range p {
		if _, ok := a.profile[k]; !ok && v != "" {
			a.profile[k] = v
		}
	}
	return nil
}

func getState(ctx context.Context, q querier, appID, userID string) (OktaAppUserState, bool, error) {
	st := OktaAppUserState{AppID: appID, UserID: userID}
	err := q.QueryRowContext(ctx, `SELECT external_id, remote_active, status, sync_state, status_changed, last_sync, create_tried
		FROM okta_app_user_state WHERE app_id = ? AND user_id = ?`, appID, userID).
		Scan(&st.ExternalID, &st.RemoteActive, &st.Status, &st.SyncState, &st.StatusChanged, &st.LastSync, &st.CreateTried)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	return st, err == nil, err
}

func appUser(ctx context.Context, q querier, appID, userID string) (OktaAppUser, error) {
	au := OktaAppUser{AppID: appID, UserID: userID}
	u, err := getUser(ctx, q, userID)
	if err != nil {
		return au, err
	}
	a, err := resolveAssignment(ctx, q, appID, u.ID)
	if err != nil {
		return au, err
	}
	if !a.assigned {
		return au, ErrNotFound
	}
	st, ok, err := getState(ctx, q, appID, u.ID)
	if err != nil {
		return au, err
	}
	var one int
	err = q.QueryRowContext(ctx, `SELECT 1 FROM okta_tasks WHERE app_id = ? AND user_id = ? AND status = 'PENDING'`, appID, u.ID).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return au, err
	}
	return newAppUser(u, a, st, ok, err == nil), nil
}

// newAppUser is u's assignment a with the engine's state st (hasState: st
// was stored) and whether a task for it is queued.
func newAppUser(u OktaUser, a assignment, st OktaAppUserState, hasState, pending bool) OktaAppUser {
	au := OktaAppUser{AppID: st.AppID, UserID: u.ID, Login: u.Login(), Scope: "GROUP", Pending: pending}
	if a.direct {
		au.Scope = "USER"
	}
	au.Profile, au.Created, au.LastUpdated = a.profile, a.created, a.lastUpdated
	if !hasState {
		st.Status, st.StatusChanged = "STAGED", a.created
	}
	au.OktaAppUserState = st
	return au
}

// appUsers is appUser for a page of user ids, with one query per table
// whatever the number of users; users not assigned are left out.
func appUsers(ctx context.Context, q querier, appID string, ids []string) (map[string]OktaAppUser, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in := strings.Repeat(",?", len(ids))[1:]
	args := make([]any, 0, len(ids)+1)
	args = append(args, appID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE id IN (`+in+`)`, args[1:]...)
	users, err := collect(rows, err, scanUser, nil, -1)
	if err != nil {
		return nil, err
	}
	assigned := map[string]*assignment{}
	type assignmentRow struct{ userID, profile, created, updated string }
	scanAssignment := func(sc rowScanner) (r assignmentRow, err error) {
		err = sc.Scan(&r.userID, &r.profile, &r.created, &r.updated)
		return r, err
	}
	rows, err = q.QueryContext(ctx, `SELECT user_id, profile, created, last_updated FROM okta_app_user_direct
		WHERE app_id = ? AND user_id IN (`+in+`)`, args...)
	direct, err := collect(rows, err, scanAssignment, nil, -1)
	if err != nil {
		return nil, err
	}
	for _, r := range direct {
		p, err := decodeProfile(r.profile)
		if err != nil {
			return nil, err
		}
		assigned[r.userID] = &assignment{assigned: true, direct: true, profile: p, created: r.created, lastUpdated: r.updated}
	}
	rows, err = q.QueryContext(ctx, `SELECT m.user_id, g.profile, g.created, g.last_updated FROM `+userGroupsOfApp+`
		WHERE m.user_id IN (`+in+`) ORDER BY m.user_id, g.priority, g.created, g.group_id`, args...)
	viaGroups, err := collect(rows, err, scanAssignment, nil, -1)
	if err != nil {
		return nil, err
	}
	for _, r := range viaGroups {
		a := assigned[r.userID]
		if a == nil {
			a = &assignment{}
			assigned[r.userID] = a
		}
		if err := a.addGroup(r.profile, r.created, r.updated); err != nil {
			return nil, err
		}
	}
	rows, err = q.QueryContext(ctx, `SELECT app_id, user_id, external_id, remote_active, status, sync_state, status_changed, last_sync
		FROM okta_app_user_state WHERE app_id = ? AND user_id IN (`+in+`)`, args...)
	states, err := collect(rows, err, func(sc rowScanner) (st OktaAppUserState, err error) {
		err = sc.Scan(&st.AppID, &st.UserID, &st.ExternalID, &st.RemoteActive, &st.Status, &st.SyncState, &st.StatusChanged, &st.LastSync)
		return st, err
	}, nil, -1)
	if err != nil {
		return nil, err
	}
	stateOf := make(map[string]OktaAppUserState, len(states))
	for _, st := range states {
		stateOf[st.UserID] = st
	}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT user_id FROM okta_tasks WHERE app_id = ? AND status = 'PENDING' AND user_id IN (`+in+`)`, args...)
	queued, err := collect(rows, err, func(sc rowScanner) (id string, err error) { return id, sc.Scan(&id) }, nil, -1)
	if err != nil {
		return nil, err
	}
	pending := make(map[string]bool, len(queued))
	for _, id := range queued {
		pending[id] = true
	}
	out := make(map[string]OktaAppUser, len(users))
	for _, u := range users {
		a := assigned[u.ID]
		if a == nil {
			continue
		}
		st, hasState := stateOf[u.ID]
		if !hasState {
			st = OktaAppUserState{AppID: appID, UserID: u.ID}
		}
		out[u.ID] = newAppUser(u, *a, st, hasState, pending[u.ID])
	}
	return out, nil
}
