package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

// The Okta face's records. Timestamps are strings in Okta's format
// (2006-01-02T15:04:05.000Z) so that they sort and compare as text.

// OktaAPIToken is an SSWS token of the Okta face, kept only as a hash.
type OktaAPIToken struct {
	ID, Name, TokenHash, Created string
}

// OktaUser is a directory user. Profile holds Okta's base profile attributes.
type OktaUser struct {
	ID, Status                                     string
	Profile                                        map[string]string
	Created, Activated, StatusChanged, LastUpdated string
}

// Login is the user's Okta username.
func (u OktaUser) Login() string { return u.Profile["login"] }

// OktaGroup is a directory group; Type is OKTA_GROUP or BUILT_IN (Everyone).
type OktaGroup struct {
	ID, Type, Name, Description                 string
	Created, LastUpdated, LastMembershipUpdated string
}

// OktaApp is an app instance with its provisioning connection and the three
// USER_PROVISIONING capabilities. ConnToken is the downstream SCIM bearer
// token; it never leaves the backend.
type OktaApp struct {
	ID, Name, Label, Status, SignOnMode, Created, LastUpdated string
	ConnBaseURL, ConnToken, ConnStatus                        string
	FeatCreate, FeatUpdate, FeatDeactivate                    bool
}

// OktaAppGroup is a group assigned to an app.
type OktaAppGroup struct {
	AppID, GroupID       string
	Priority             int
	Profile              map[string]string
	Created, LastUpdated string
}

// OktaAppUser is a user's effective assignment to an app (direct, through
// groups, or both) joined with the engine's view of the downstream account.
type OktaAppUser struct {
	AppID, UserID, Login string
	// Scope is USER when the user is assigned directly, else GROUP.
	Scope                string
	Profile              map[string]string
	Created, LastUpdated string
	OktaAppUserState
	// Pending is true while provisioning tasks for this user are queued.
	Pending bool
}

// OktaAppUserState is what the provisioning engine knows of a user's
// downstream account.
type OktaAppUserState struct {
	AppID, UserID, ExternalID                  string
	RemoteActive                               bool
	Status, SyncState, StatusChanged, LastSync string
}

// OktaTask is the durable provisioning task of an (app, user) pair: one per
// pair, whatever number of changes queued it. Version counts those changes,
// so that an attempt finishes the task only when no change arrived while it
// ran. Status is PENDING (queued, maybe waiting until NotBefore) or FAILED
// (given up; listed and retried through the tasks API).
type OktaTask struct {
	Seq                          int64
	ID                           string
	AppID, UserID, Kind, Created string
	Version                      int64
	Status, Operation, LastError string
	Attempts                     int
	// FirstAttempt and LastAttempt are the times of the first and latest
	// attempt; RetrySince starts the current retry window.
	FirstAttempt, LastAttempt, RetrySince, NotBefore string
	// Login is the user's login, filled in by listings.
	Login string
}

// Provisioning task statuses.
const (
	TaskPending = "PENDING"
	TaskFailed  = "FAILED"
)

// OktaTaskOutcome is the result of one provisioning attempt for the task
// version the attempt ran for.
type OktaTaskOutcome struct {
	AppID, UserID string
	Version       int64
	// Done: the account is in line; the task is removed unless a newer
	// change queued it again meanwhile.
	Done bool
	// Otherwise the attempt failed at At with Error while doing Operation;
	// Status is PENDING (retry at NotBefore) or FAILED (give up).
	Operation, Error, At, Status, NotBefore string
	// State (when its AppID is set) and Events are saved with the outcome.
	State  OktaAppUserState
	Events []OktaLogEvent
}

// OktaSyncView is everything the engine needs to bring one user's downstream
// account in line with Okta.
type OktaSyncView struct {
	App       OktaApp
	AppFound  bool
	User      OktaUser
	UserFound bool
	// Assigned is true when the user is assigned directly or through a group.
	Assigned bool
	// UserType is the assignment's userType: the direct assignment's when it
	// sets one, else the highest-priority group assignment's that sets one.
	UserType string
	State    OktaAppUserState
	HasState bool
}

// OktaLogEvent is one System Log event; Body is the event's JSON.
type OktaLogEvent struct {
	Seq                                          int64
	UUID, Published, EventType, Outcome, ActorID string
	TargetIDs                                    []string
	Body                                         []byte
}

// OktaLogQuery selects System Log events published in [Since, Until).
type OktaLogQuery struct {
	Since, Until string
	// AfterSeq continues a listing after the event with that sequence number.
	AfterSeq   int64
	Limit      int
	Descending bool
	Match      func(OktaLogEvent) bool
}

// OktaStore implements the Okta face's persistence on a DB.
type OktaStore struct {
	db *DB
	// Prepared statements of the provisioning engine's hot path: parsing
	// SQL again for every task costs more than running it.
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// NewOktaStore returns the Okta face's store on db.
func NewOktaStore(db *DB) *OktaStore { return &OktaStore{db: db, stmts: map[string]*sql.Stmt{}} }

// prepared returns query prepared on the read pool (write false) or on the
// writer's connection (write true), preparing it on first use.
func (s *OktaStore) prepared(ctx context.Context, query string, write bool) (*sql.Stmt, error) {
	key := "r" + query
	pool := s.db.read
	if write {
		key, pool = "w"+query, s.db.write
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[key]; ok {
		return st, nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmts[key] = st
	return st, nil
}

// preparedQuerier runs queries through prepared statements, on the read pool
// or, when tx is set, inside that transaction.
type preparedQuerier struct {
	s  *OktaStore
	tx *sql.Tx
}

func (p preparedQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if p.tx == nil {
		return p.s.prepared(ctx, query, false)
	}
	// Inside a transaction the writer's only connection is taken, so a
	// statement can be used only if it was prepared before (see
	// prepareWrites); otherwise it runs unprepared.
	p.s.mu.Lock()
	st, ok := p.s.stmts["w"+query]
	p.s.mu.Unlock()
	if !ok {
		return nil, errNotPrepared
	}
	return p.tx.StmtContext(ctx, st), nil
}

var errNotPrepared = errors.New("store: statement not prepared")

// engineWrites are the statements of SaveOktaTaskOutcome and enqueueForUser.
var engineWrites = []string{deleteTaskSQL, failTaskSQL, upsertStateSQL, insertEventSQL, enqueueForUserSQL + queueTask}

// prepareWrites prepares the engine's write statements on the writer's
// connection; it must run outside any transaction.
func (s *OktaStore) prepareWrites(ctx context.Context) {
	for _, q := range engineWrites {
		_, _ = s.prepared(ctx, q, true)
	}
}

func (p preparedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		if p.tx != nil {
			return p.tx.QueryContext(ctx, query, args...)
		}
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p preparedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		// Unprepared, the query reports the same error through Scan.
		if p.tx != nil {
			return p.tx.QueryRowContext(ctx, query, args...)
		}
		return p.s.db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (p preparedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		if p.tx != nil {
			return p.tx.ExecContext(ctx, query, args...)
		}
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(...any) error }

// collect reads the rows of a query (rows and err as QueryContext returned
// them) through scan, keeping those keep accepts (every row when keep is
// nil) up to limit (no bound when limit < 0), and closes the rows.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error), keep func(T) bool, limit int) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for (limit < 0 || len(out) < limit) && rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

func encodeProfile(p map[string]string) string {
	if p == nil {
		p = map[string]string{}
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func decodeProfile(s string) (map[string]string, error) {
	p := map[string]string{}
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("store: decode profile: %w", err)
	}
	return p, nil
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// ---- API tokens

// CreateOktaAPIToken stores a new API token.
func (s *OktaStore) CreateOktaAPIToken(ctx context.Context, t OktaAPIToken) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_api_tokens(id, name, token_hash, created) VALUES (?, ?, ?, ?)`,
			t.ID, t.Name, t.TokenHash, t.Created)
		if isUniqueViolation(err) {
			return ErrConflict
		}
		return err
	})
}

// OktaAPITokenByHash finds a token by the hash of its value.
func (s *OktaStore) OktaAPITokenByHash(ctx context.Context, hash string) (OktaAPIToken, error) {
	t, err := scanAPIToken(s.db.read.QueryRowContext(ctx, `SELECT `+sswsCols+` FROM okta_api_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

const sswsCols = `id, name, token_hash, created`

func scanAPIToken(sc rowScanner) (OktaAPIToken, error) {
	var t OktaAPIToken
	err := sc.Scan(&t.ID, &t.Name, &t.TokenHash, &t.Created)
	return t, err
}

// OktaAPITokens lists API tokens by id after the given one.
func (s *OktaStore) OktaAPITokens(ctx context.Context, after string, limit int, match func(OktaAPIToken) bool) ([]OktaAPIToken, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+sswsCols+` FROM okta_api_tokens WHERE id > ? ORDER BY id`, after)
	return collect(rows, err, scanAPIToken, match, limit)
}

// OktaAPIToken finds an API token by id.
func (s *OktaStore) OktaAPIToken(ctx context.Context, id string) (OktaAPIToken, error) {
	t, err := scanAPIToken(s.db.read.QueryRowContext(ctx, `SELECT `+sswsCols+` FROM okta_api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

// DeleteOktaAPIToken revokes an API token and appends events to the System
// Log in the same transaction; ErrNotFound when there is no such token.
func (s *OktaStore) DeleteOktaAPIToken(ctx context.Context, id string, events []OktaLogEvent) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM okta_api_tokens WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return insertEvents(ctx, tx, events)
	})
}

// OktaAPITokenCount counts the API tokens.
func (s *OktaStore) OktaAPITokenCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM okta_api_tokens`).Scan(&n)
	return n, err
}

// ---- users

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

func getUser(ctx context.Context, q querier, idOrLogin string) (OktaUser, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE id = ?1 OR login_lower = ?2 LIMIT 1`,
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
	s.prepareWrites(ctx)
	var tasks []OktaTask
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		tasks = tasks[:0]
		ins, err := tx.PrepareContext(ctx, `INSERT INTO okta_users(`+userCols+`, login_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer func() { _ = ins.Close() }()
		mem, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO okta_group_members(group_id, user_id)
			SELECT id, ?2 FROM okta_groups WHERE type = 'BUILT_IN' OR id = ?1`)
		if err != nil {
			return err
		}
		defer func() { _ = mem.Close() }()
		for _, u := range users {
			if _, err := ins.ExecContext(ctx, u.ID, u.Status, encodeProfile(u.Profile), u.Created, u.Activated, u.StatusChanged, u.LastUpdated,
				mailaddr.Key(u.Login())); err != nil {
				if isUniqueViolation(err) {
					return ErrConflict
				}
				return err
			}
			if _, err := mem.ExecContext(ctx, "", u.ID); err != nil {
				return err
			}
			for _, g := range groupIDs {
				res, err := mem.ExecContext(ctx, g, u.ID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					if err := groupExists(ctx, tx, g); err != nil {
						return err
					}
				}
			}
			t, err := enqueueForUser(ctx, preparedQuerier{s: s, tx: tx}, u.ID, "assign", u.Created)
			if err != nil {
				return err
			}
			tasks = append(tasks, t...)
		}
		return nil
	})
	return tasks, err
}

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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, profile, login_lower FROM okta_users WHERE profile GLOB ?`, "*[^\x01-\x7f]*")
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
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userCols+` FROM okta_users WHERE id > ? ORDER BY id`, after)
	return collect(rows, err, scanUser, match, limit)
}

// UpdateOktaUser changes a user through fn inside one transaction and, when
// kind is not empty, queues provisioning of that kind for every app the user
// is assigned to or was provisioned to. fn's error aborts the change.
func (s *OktaStore) UpdateOktaUser(ctx context.Context, id string, kind string, fn func(*OktaUser) error) (OktaUser, []OktaTask, error) {
	s.prepareWrites(ctx)
	var out OktaUser
	var tasks []OktaTask
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE okta_users SET status = ?, profile = ?, login_lower = ?, activated = ?, status_changed = ?, last_updated = ? WHERE id = ?`,
			u.Status, encodeProfile(u.Profile), mailaddr.Key(u.Login()), u.Activated, u.StatusChanged, u.LastUpdated, u.ID); err != nil {
			if isUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
		out = u
		tasks = nil
		if kind != "" {
			tasks, err = enqueueForUser(ctx, preparedQuerier{s: s, tx: tx}, u.ID, kind, u.LastUpdated)
		}
		return err
	})
	return out, tasks, err
}

// DeleteOktaUser removes a user with its memberships, assignments and
// provisioning state.
func (s *OktaStore) DeleteOktaUser(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM okta_tasks WHERE user_id = ?`,
			`DELETE FROM okta_app_user_state WHERE user_id = ?`,
			`DELETE FROM okta_app_user_direct WHERE user_id = ?`,
			`DELETE FROM okta_group_members WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM okta_users WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// enqueueForUser queues a task for every app the user is assigned to or holds
// a downstream account in.
// It runs prepared (see prepareWrites): users are created and changed by the
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

func scanTask(sc rowScanner) (OktaTask, error) {
	var t OktaTask
	err := sc.Scan(&t.Seq, &t.ID, &t.AppID, &t.UserID, &t.Kind, &t.Created, &t.Version, &t.Status, &t.Operation,
		&t.Attempts, &t.LastError, &t.FirstAttempt, &t.LastAttempt, &t.RetrySince, &t.NotBefore)
	return t, err
}

// insertTasks runs an INSERT INTO okta_tasks ... SELECT (ending in a WHERE
// clause, which SQLite needs before an upsert) or ... VALUES, as queueTask
// completes it, and returns the queued tasks.
func insertTasks(ctx context.Context, q querier, query string, args ...any) ([]OktaTask, error) {
	rows, err := q.QueryContext(ctx, query+queueTask, args...)
	return collect(rows, err, scanTask, nil, -1)
}

// ---- groups

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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO okta_group_members(group_id, user_id) SELECT ?, id FROM okta_users`, g.ID); err != nil {
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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_groups(`+groupCols+`, name_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Type, g.Name, g.Description, g.Created, g.LastUpdated, g.LastMembershipUpdated, strings.ToLower(g.Name))
		if isUniqueViolation(err) {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
		if isUniqueViolation(err) {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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

// ---- apps

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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_apps(`+appCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Name, a.Label, a.Status, a.SignOnMode, a.Created, a.LastUpdated,
			a.ConnBaseURL, sealed, a.ConnStatus, a.FeatCreate, a.FeatUpdate, a.FeatDeactivate)
		if isUniqueViolation(err) {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
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
		_, err = tx.ExecContext(ctx, `DELETE FROM okta_apps WHERE id = ?`, id)
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

// ---- app group assignments

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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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

// ---- app user assignments

// PutOktaAppUser assigns a user to an app directly (scope USER), or updates
// the direct assignment's profile, and queues provisioning.
func (s *OktaStore) PutOktaAppUser(ctx context.Context, appID, userID string, profile map[string]string, now string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	err := q.QueryRowContext(ctx, `SELECT external_id, remote_active, status, sync_state, status_changed, last_sync
		FROM okta_app_user_state WHERE app_id = ? AND user_id = ?`, appID, userID).
		Scan(&st.ExternalID, &st.RemoteActive, &st.Status, &st.SyncState, &st.StatusChanged, &st.LastSync)
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

// ---- provisioning engine

// PendingOktaTasks returns every PENDING task in queue order.
func (s *OktaStore) PendingOktaTasks(ctx context.Context) ([]OktaTask, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+taskCols+` FROM okta_tasks WHERE status = 'PENDING' ORDER BY seq`)
	return collect(rows, err, scanTask, nil, -1)
}

// OktaTask finds the task of an (app, user) pair.
func (s *OktaStore) OktaTask(ctx context.Context, appID, userID string) (OktaTask, error) {
	t, err := scanTask(preparedQuerier{s: s}.QueryRowContext(ctx, taskByUserSQL, appID, userID))
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
	err := sc.Scan(&t.Seq, &t.ID, &t.AppID, &t.UserID, &t.Kind, &t.Created, &t.Version, &t.Status, &t.Operation,
		&t.Attempts, &t.LastError, &t.FirstAttempt, &t.LastAttempt, &t.RetrySince, &t.NotBefore, &t.Login)
	return t, err
}

// RequeueOktaTasks queues tasks of an app again at once, with a new retry
// window: those named by ids (any status), or with no ids every FAILED one.
// Unknown ids are skipped. It returns the tasks queued.
func (s *OktaStore) RequeueOktaTasks(ctx context.Context, appID string, ids []string) ([]OktaTask, error) {
	var tasks []OktaTask
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	q := preparedQuerier{s: s}
	v.App, err = s.getApp(ctx, q, appID)
	switch {
	case errors.Is(err, ErrNotFound):
		return v, nil
	case err != nil:
		return v, err
	}
	v.AppFound = true
	v.User, err = getUser(ctx, q, userID)
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
	s.prepareWrites(ctx)
	var status string
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		q := preparedQuerier{s: s, tx: tx}
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
		return saveStateAndEvents(ctx, q, o.State, o.Events)
	})
	return status, err
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
	upsertStateSQL = `INSERT INTO okta_app_user_state(app_id, user_id, external_id, remote_active, status, sync_state, status_changed, last_sync)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM okta_users WHERE id = ?2) AND EXISTS (SELECT 1 FROM okta_apps WHERE id = ?1)
		ON CONFLICT(app_id, user_id) DO UPDATE SET external_id = excluded.external_id, remote_active = excluded.remote_active,
			status = excluded.status, sync_state = excluded.sync_state, status_changed = excluded.status_changed, last_sync = excluded.last_sync`
	insertEventSQL = `INSERT INTO okta_log_events(uuid, published, event_type, outcome, actor_id, target_ids, body) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

func saveStateAndEvents(ctx context.Context, tx querier, st OktaAppUserState, events []OktaLogEvent) error {
	if st.AppID != "" {
		if _, err := tx.ExecContext(ctx, upsertStateSQL,
			st.AppID, st.UserID, st.ExternalID, st.RemoteActive, st.Status, st.SyncState, st.StatusChanged, st.LastSync); err != nil {
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

// ---- System Log

func insertEvents(ctx context.Context, tx querier, events []OktaLogEvent) error {
	for _, e := range events {
		if _, err := tx.ExecContext(ctx, insertEventSQL,
			e.UUID, e.Published, e.EventType, e.Outcome, e.ActorID, strings.Join(e.TargetIDs, " "), string(e.Body)); err != nil {
			return err
		}
	}
	return nil
}

// AppendOktaLogEvents stores System Log events.
func (s *OktaStore) AppendOktaLogEvents(ctx context.Context, events []OktaLogEvent) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error { return insertEvents(ctx, tx, events) })
}

// OktaLogEvents lists System Log events in the order they were recorded (or
// the reverse), which is publication order.
func (s *OktaStore) OktaLogEvents(ctx context.Context, q OktaLogQuery) ([]OktaLogEvent, error) {
	query := `SELECT seq, uuid, published, event_type, outcome, actor_id, target_ids, body FROM okta_log_events
		WHERE published >= ? AND published < ?`
	args := []any{q.Since, q.Until}
	if q.Descending {
		if q.AfterSeq > 0 {
			query += ` AND seq < ?`
			args = append(args, q.AfterSeq)
		}
		query += ` ORDER BY seq DESC`
	} else {
		query += ` AND seq > ? ORDER BY seq`
		args = append(args, q.AfterSeq)
	}
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []OktaLogEvent
	for rows.Next() && len(out) < q.Limit {
		var e OktaLogEvent
		var targets, body string
		if err := rows.Scan(&e.Seq, &e.UUID, &e.Published, &e.EventType, &e.Outcome, &e.ActorID, &targets, &body); err != nil {
			return nil, err
		}
		e.TargetIDs = strings.Fields(targets)
		e.Body = []byte(body)
		if q.Match == nil || q.Match(e) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}
