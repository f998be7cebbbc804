package store

import (
	"context"
	"database/sql"
	"errors"
)

// WrikeUserSeqs returns the lowest and the highest Seq of the stored users,
// both 0 when there are none: the span WrikeUsers can be asked to read in
// parts.
func (s *WrikeStore) WrikeUserSeqs(ctx context.Context) (first, last int64, err error) {
	err = s.db.read.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM wrike_users`).Scan(&first, &last)
	return first, last, err
}

// WrikeUsers calls fn for every user whose Seq is in [from, to], in paging
// order (by Seq). Ranges that do not overlap can be read side by side. The
// user's Resource is the driver's buffer, valid only until fn returns: a
// caller that keeps it copies it (the Wrike face copies every user into its
// index anyway, and a million documents are most of what a start reads).
func (s *WrikeStore) WrikeUsers(ctx context.Context, from, to int64, fn func(WrikeUser) error) error {
	// Emails come from a second ordered scan merged by seq, which keeps
	// loading users to two sequential reads.
	erows, err := s.db.read.QueryContext(ctx, `SELECT user_seq, value FROM wrike_user_emails
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

	rows, err := s.db.read.QueryContext(ctx, `SELECT seq, id, user_name_lower, external_id, active, user_type,
		identity_provider, version, created_at, modified_at, resource FROM wrike_users
		WHERE seq BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		u, err := scanWrikeUser(rows)
		if err != nil {
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

// scanWrikeUser reads a user without its emails. Its Resource is the
// driver's buffer (sql.RawBytes), valid until the rows move on; so it takes
// *sql.Rows (a *sql.Row refuses RawBytes), which also keeps the destinations
// off the heap, where a rowScanner would put them for every user a start
// reads.
func scanWrikeUser(sc *sql.Rows) (WrikeUser, error) {
	var u WrikeUser
	var ext sql.NullString
	var created, modified string
	var resource sql.RawBytes
	err := sc.Scan(&u.Seq, &u.ID, &u.UserNameLower, &ext, &u.Active, &u.UserType,
		&u.IdentityProvider, &u.Version, &created, &modified, &resource)
	if err != nil {
		return u, err
	}
	u.Resource = resource
	u.ExternalID = ext.String
	if u.Created, err = parseTime(created); err != nil {
		return u, err
	}
	u.Modified, err = parseTime(modified)
	return u, err
}

func insertEmails(ctx context.Context, q preparedQuerier, seq int64, emails []string) error {
	for _, e := range emails {
		if _, err := q.ExecContext(ctx, sqlInsertEmail, seq, e); err != nil {
			return err
		}
	}
	return nil
}

// The user writes, prepared once (see NewWrikeStore).
const (
	sqlInsertUser = `INSERT INTO wrike_users(id, user_name_lower, external_id, active, user_type,
		identity_provider, version, created_at, modified_at, resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUserVersion = `SELECT seq, version FROM wrike_users WHERE id = ?`
	sqlUpdateUser  = `UPDATE wrike_users SET user_name_lower = ?, external_id = ?, active = ?, user_type = ?,
		version = ?, modified_at = ?, resource = ? WHERE seq = ?`
	sqlInsertEmail  = `INSERT OR IGNORE INTO wrike_user_emails(user_seq, value) VALUES (?, ?)`
	sqlDeleteEmails = `DELETE FROM wrike_user_emails WHERE user_seq = ?`
)

var wrikeUserWrites = []string{sqlInsertUser, sqlUserVersion, sqlUpdateUser, sqlInsertEmail, sqlDeleteEmails}

// CreateWrikeUser stores a new user and sets u.Seq. ErrConflict when the id
// or the canonical userName (mailaddr.Key) exists.
func (s *WrikeStore) CreateWrikeUser(ctx context.Context, u *WrikeUser) error {
	return s.CreateWrikeUsers(ctx, []*WrikeUser{u})
}

// CreateWrikeUsers stores new users in one transaction and sets their Seq,
// in order. Either all are stored or none: ErrConflict when an id or a
// lower-cased userName exists (or repeats among them).
func (s *WrikeStore) CreateWrikeUsers(ctx context.Context, users []*WrikeUser) error {
	seqs := make([]int64, len(users))
	err := s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		for i, u := range users {
			res, err := q.ExecContext(ctx, sqlInsertUser,
				u.ID, u.UserNameLower, nullable(u.ExternalID), u.Active, u.UserType, u.IdentityProvider, u.Version,
				formatTime(u.Created), formatTime(u.Modified), u.Resource)
			if err != nil {
				return wrapUnique(err)
			}
			if seqs[i], err = res.LastInsertId(); err != nil {
				return err
			}
			if err := insertEmails(ctx, q, seqs[i], u.Emails); err != nil {
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
func (s *WrikeStore) UpdateWrikeUser(ctx context.Context, u WrikeUser, prevVersion int64) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		var seq, version int64
		err := q.QueryRowContext(ctx, sqlUserVersion, u.ID).Scan(&seq, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if version != prevVersion {
			return ErrPrecondition
		}
		if _, err := q.ExecContext(ctx, sqlUpdateUser,
			u.UserNameLower, nullable(u.ExternalID), u.Active, u.UserType, u.Version,
			formatTime(u.Modified), u.Resource, seq); err != nil {
			return wrapUnique(err)
		}
		if _, err := q.ExecContext(ctx, sqlDeleteEmails, seq); err != nil {
			return err
		}
		return insertEmails(ctx, q, seq, u.Emails)
	})
}

// DeleteWrikeUser removes a user; ErrNotFound when missing.
func (s *WrikeStore) DeleteWrikeUser(ctx context.Context, id string) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		return mustAffect(q.ExecContext(ctx, `DELETE FROM wrike_users WHERE id = ?`, id))
	})
}
