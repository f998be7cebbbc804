package store

import (
	"context"
	"database/sql"
	"errors"
)

// WrikeAccount returns the account, or ErrNotFound before it is created.
func (s *WrikeStore) WrikeAccount(ctx context.Context) (WrikeAccount, error) {
	a, err := scanWrikeAccount(s.db.read.QueryRowContext(ctx, `SELECT id, name, created_at FROM wrike_account LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

func scanWrikeAccount(sc rowScanner) (WrikeAccount, error) {
	var a WrikeAccount
	var created string
	err := sc.Scan(&a.ID, &a.Name, &created)
	if err != nil {
		return a, err
	}
	a.Created, err = parseTime(created)
	return a, err
}

// CreateWrikeAccount stores the account; there is only ever one.
func (s *WrikeStore) CreateWrikeAccount(ctx context.Context, a WrikeAccount) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM wrike_account`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		_, err := q.ExecContext(ctx, `INSERT INTO wrike_account(id, name, created_at) VALUES (?, ?, ?)`, a.ID, a.Name, formatTime(a.Created))
		return err
	})
}
