package store

import (
	"context"
	"database/sql"
)

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
