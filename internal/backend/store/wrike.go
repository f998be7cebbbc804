package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The Wrike face's records. The face keeps all of them in memory and uses
// the store to make every change durable before it becomes visible.

// WrikeAccount is the one Wrike account the backend plays.
type WrikeAccount struct {
	ID      string
	Name    string
	Created time.Time
}

// WrikeAdminToken is an admin API token, known only by its hash.
type WrikeAdminToken struct {
	ID        string
	TokenHash []byte
	Created   time.Time
}

// WrikeApprovedDomain is an email domain whose users may be provisioned.
type WrikeApprovedDomain struct {
	ID      string
	Domain  string // canonical: A-labels, lower case (mailaddr)
	Created time.Time
}

// WrikeAPIApp is an API app with its permanent v4 token, known only by its hash.
type WrikeAPIApp struct {
	ID           string
	Name         string
	Description  string
	TokenHash    []byte
	Created      time.Time
	TokenCreated time.Time
}

// WrikeSCIMIntegration is the SCIM configuration for one identity provider.
type WrikeSCIMIntegration struct {
	Provider        string
	Enabled         bool
	DefaultUserType string
	Updated         time.Time
}

// WrikeUser is a SCIM-provisioned user: the resource as served plus the
// columns that are indexed or filtered on without parsing it.
type WrikeUser struct {
	Seq              int64 // assigned on create; the stable paging order
	ID               string
	UserNameLower    string
	ExternalID       string // "" when absent
	Emails           []string
	Active           bool
	UserType         string
	IdentityProvider string
	Version          int64
	Created          time.Time
	Modified         time.Time
	Resource         []byte
}

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeFormat, s) }

// uniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func uniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// wrapUnique turns a uniqueness violation into ErrConflict.
func wrapUnique(err error) error {
	if uniqueViolation(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return wrapUnique(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// WrikeAccount returns the account, or ErrNotFound before it is created.
func (db *DB) WrikeAccount(ctx context.Context) (WrikeAccount, error) {
	var a WrikeAccount
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, created_at FROM wrike_account LIMIT 1`).Scan(&a.ID, &a.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.Created, err = parseTime(created)
	return a, err
}

// CreateWrikeAccount stores the account; there is only ever one.
func (db *DB) CreateWrikeAccount(ctx context.Context, a WrikeAccount) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM wrike_account`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		_, err := tx.Exec(`INSERT INTO wrike_account(id, name, created_at) VALUES (?, ?, ?)`, a.ID, a.Name, formatTime(a.Created))
		return err
	})
}

// WrikeAdminTokens lists the admin tokens' hashes.
func (db *DB) WrikeAdminTokens(ctx context.Context) ([]WrikeAdminToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, token_hash, created_at FROM wrike_admin_tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []WrikeAdminToken
	for rows.Next() {
		var t WrikeAdminToken
		var created string
		if err := rows.Scan(&t.ID, &t.TokenHash, &created); err != nil {
			return nil, err
		}
		if t.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateWrikeAdminToken stores an admin token's hash; ErrConflict when the hash exists.
func (db *DB) CreateWrikeAdminToken(ctx context.Context, t WrikeAdminToken) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO wrike_admin_tokens(id, token_hash, created_at) VALUES (?, ?, ?)`,
			t.ID, t.TokenHash, formatTime(t.Created))
		return wrapUnique(err)
	})
}

// DeleteWrikeAdminTokens deletes every admin token and reports how many there were.
func (db *DB) DeleteWrikeAdminTokens(ctx context.Context) (int, error) {
	var n int64
	err := db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM wrike_admin_tokens`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// WrikeApprovedDomains lists approved domains in creation order.
func (db *DB) WrikeApprovedDomains(ctx context.Context) ([]WrikeApprovedDomain, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, domain, created_at FROM wrike_approved_domains ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []WrikeApprovedDomain
	for rows.Next() {
		var d WrikeApprovedDomain
		var created string
		if err := rows.Scan(&d.ID, &d.Domain, &created); err != nil {
			return nil, err
		}
		if d.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateWrikeApprovedDomain stores a domain; ErrConflict when it exists.
func (db *DB) CreateWrikeApprovedDomain(ctx context.Context, d WrikeApprovedDomain) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO wrike_approved_domains(id, domain, created_at) VALUES (?, ?, ?)`,
			d.ID, d.Domain, formatTime(d.Created))
		return wrapUnique(err)
	})
}

// DeleteWrikeApprovedDomain removes a domain by id; ErrNotFound when missing.
func (db *DB) DeleteWrikeApprovedDomain(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.Exec(`DELETE FROM wrike_approved_domains WHERE id = ?`, id))
	})
}

// WrikeAPIApps lists API apps in creation order.
func (db *DB) WrikeAPIApps(ctx context.Context) ([]WrikeAPIApp, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, description, token_hash, created_at, token_created_at
		FROM wrike_api_apps ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []WrikeAPIApp
	for rows.Next() {
		var a WrikeAPIApp
		var created, tokenCreated string
		if err := rows.Scan(&a.ID, &a.Name, &a.Description, &a.TokenHash, &created, &tokenCreated); err != nil {
			return nil, err
		}
		if a.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if a.TokenCreated, err = parseTime(tokenCreated); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateWrikeAPIApp stores an API app; ErrConflict when the id or token hash exists.
func (db *DB) CreateWrikeAPIApp(ctx context.Context, a WrikeAPIApp) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO wrike_api_apps(id, name, description, token_hash, created_at, token_created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Name, a.Description, a.TokenHash, formatTime(a.Created), formatTime(a.TokenCreated))
		return wrapUnique(err)
	})
}

// UpdateWrikeAPIApp replaces an API app's name, description and token; ErrNotFound when missing.
func (db *DB) UpdateWrikeAPIApp(ctx context.Context, a WrikeAPIApp) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.Exec(`UPDATE wrike_api_apps SET name = ?, description = ?, token_hash = ?, token_created_at = ?
			WHERE id = ?`, a.Name, a.Description, a.TokenHash, formatTime(a.TokenCreated), a.ID))
	})
}

// DeleteWrikeAPIApp removes an API app (and with it its token); ErrNotFound when missing.
func (db *DB) DeleteWrikeAPIApp(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.Exec(`DELETE FROM wrike_api_apps WHERE id = ?`, id))
	})
}

// WrikeSCIMIntegrations lists the stored integrations (providers never
// configured are absent).
func (db *DB) WrikeSCIMIntegrations(ctx context.Context) ([]WrikeSCIMIntegration, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT provider, enabled, default_user_type, updated_at
		FROM wrike_scim_integrations ORDER BY provider`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []WrikeSCIMIntegration
	for rows.Next() {
		var in WrikeSCIMIntegration
		var updated string
		if err := rows.Scan(&in.Provider, &in.Enabled, &in.DefaultUserType, &updated); err != nil {
			return nil, err
		}
		if in.Updated, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// PutWrikeSCIMIntegration creates or replaces one provider's integration.
func (db *DB) PutWrikeSCIMIntegration(ctx context.Context, in WrikeSCIMIntegration) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO wrike_scim_integrations(provider, enabled, default_user_type, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled,
				default_user_type = excluded.default_user_type, updated_at = excluded.updated_at`,
			in.Provider, in.Enabled, in.DefaultUserType, formatTime(in.Updated))
		return err
	})
}

// WrikeUserSeqs returns the lowest and the highest Seq of the stored users,
// both 0 when there are none: the span WrikeUsers can be asked to read in
// parts.
func (db *DB) WrikeUserSeqs(ctx context.Context) (first, last int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM wrike_users`).Scan(&first, &last)
	return first, last, err
}

// WrikeUsers calls fn for every user whose Seq is in [from, to], in paging
// order (by Seq). Ranges that do not overlap can be read side by side. The
// user's Resource is the driver's buffer, valid only until fn returns: a
// caller that keeps it copies it (the Wrike face copies every user into its
// index anyway, and a million documents are most of what a start reads).
func (db *DB) WrikeUsers(ctx context.Context, from, to int64, fn func(WrikeUser) error) error {
	// Emails come from a second ordered scan merged by seq, which keeps
	// loading users to two sequential reads.
	erows, err := db.read.QueryContext(ctx, `SELECT user_seq, value FROM wrike_user_emails
		WHERE user_seq BETWEEN ? AND ? ORDER BY user_seq`, from, to)
	if err != nil {
		return err
	}
	defer func() { _ = erows.Close() }()
	var eseq int64
	var evalue string
	emore := erows.Next()
	if emore {
		if err := erows.Scan(&eseq, &evalue); err != nil {
			return err
		}
	}

	rows, err := db.read.QueryContext(ctx, `SELECT seq, id, user_name_lower, external_id, active, user_type,
		identity_provider, version, created_at, modified_at, resource FROM wrike_users
		WHERE seq BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var u WrikeUser
		var ext sql.NullString
		var created, modified string
		var resource sql.RawBytes
		if err := rows.Scan(&u.Seq, &u.ID, &u.UserNameLower, &ext, &u.Active, &u.UserType,
			&u.IdentityProvider, &u.Version, &created, &modified, &resource); err != nil {
			return err
		}
		u.Resource = resource
		u.ExternalID = ext.String
		if u.Created, err = parseTime(created); err != nil {
			return err
		}
		if u.Modified, err = parseTime(modified); err != nil {
			return err
		}
		for emore && eseq <= u.Seq {
			if eseq == u.Seq {
				u.Emails = append(u.Emails, evalue)
			}
			if emore = erows.Next(); emore {
				if err := erows.Scan(&eseq, &evalue); err != nil {
					return err
				}
			}
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return erows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (db *DB) insertEmails(tx *sql.Tx, seq int64, emails []string) error {
	for _, e := range emails {
		if _, err := db.exec(tx, sqlInsertEmail, seq, e); err != nil {
			return err
		}
	}
	return nil
}

// The user writes, prepared once (see prepare).
const (
	sqlInsertUser = `INSERT INTO wrike_users(id, user_name_lower, external_id, active, user_type,
		identity_provider, version, created_at, modified_at, resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUserVersion = `SELECT seq, version FROM wrike_users WHERE id = ?`
	sqlUpdateUser  = `UPDATE wrike_users SET user_name_lower = ?, external_id = ?, active = ?, user_type = ?,
		version = ?, modified_at = ?, resource = ? WHERE seq = ?`
	sqlInsertEmail  = `INSERT OR IGNORE INTO wrike_user_emails(user_seq, value) VALUES (?, ?)`
	sqlDeleteEmails = `DELETE FROM wrike_user_emails WHERE user_seq = ?`
)

var userWrites = []string{sqlInsertUser, sqlUserVersion, sqlUpdateUser, sqlInsertEmail, sqlDeleteEmails}

// CreateWrikeUser stores a new user and sets u.Seq. ErrConflict when the id
// or the canonical userName (mailaddr.Key) exists.
func (db *DB) CreateWrikeUser(ctx context.Context, u *WrikeUser) error {
	return db.CreateWrikeUsers(ctx, []*WrikeUser{u})
}

// CreateWrikeUsers stores new users in one transaction and sets their Seq,
// in order. Either all are stored or none: ErrConflict when an id or a
// lower-cased userName exists (or repeats among them).
func (db *DB) CreateWrikeUsers(ctx context.Context, users []*WrikeUser) error {
	if err := db.prepare(userWrites...); err != nil {
		return err
	}
	seqs := make([]int64, len(users))
	err := db.Write(ctx, func(tx *sql.Tx) error {
		for i, u := range users {
			res, err := db.exec(tx, sqlInsertUser,
				u.ID, u.UserNameLower, nullable(u.ExternalID), u.Active, u.UserType, u.IdentityProvider, u.Version,
				formatTime(u.Created), formatTime(u.Modified), u.Resource)
			if err != nil {
				return wrapUnique(err)
			}
			if seqs[i], err = res.LastInsertId(); err != nil {
				return err
			}
			if err := db.insertEmails(tx, seqs[i], u.Emails); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for i, u := range users {
			u.Seq = seqs[i]
		}
	}
	return err
}

// UpdateWrikeUser replaces a user whose stored version is prevVersion.
// ErrNotFound when the user is gone, ErrPrecondition when its version moved
// on, ErrConflict when the new userName is taken.
func (db *DB) UpdateWrikeUser(ctx context.Context, u WrikeUser, prevVersion int64) error {
	if err := db.prepare(userWrites...); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *sql.Tx) error {
		var seq, version int64
		var row *sql.Row
		if st := db.stmt(tx, sqlUserVersion); st != nil {
			row = st.QueryRow(u.ID)
		} else {
			row = tx.QueryRow(sqlUserVersion, u.ID)
		}
		err := row.Scan(&seq, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if version != prevVersion {
			return ErrPrecondition
		}
		if _, err := db.exec(tx, sqlUpdateUser,
			u.UserNameLower, nullable(u.ExternalID), u.Active, u.UserType, u.Version,
			formatTime(u.Modified), u.Resource, seq); err != nil {
			return wrapUnique(err)
		}
		if _, err := db.exec(tx, sqlDeleteEmails, seq); err != nil {
			return err
		}
		return db.insertEmails(tx, seq, u.Emails)
	})
}

// DeleteWrikeUser removes a user; ErrNotFound when missing.
func (db *DB) DeleteWrikeUser(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.Exec(`DELETE FROM wrike_users WHERE id = ?`, id))
	})
}
