package store

import (
	"context"
	"database/sql"
	"errors"
)

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
