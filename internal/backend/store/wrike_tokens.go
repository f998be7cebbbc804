package store

import (
	"context"
)

// WrikeAdminTokens lists the admin tokens' hashes.
func (s *WrikeStore) WrikeAdminTokens(ctx context.Context) ([]WrikeAdminToken, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, token_hash, created_at FROM wrike_admin_tokens ORDER BY created_at, id`)
	return collect(rows, err, scanWrikeAdminToken, nil, -1)
}

func scanWrikeAdminToken(sc rowScanner) (WrikeAdminToken, error) {
	var t WrikeAdminToken
	var created string
	err := sc.Scan(&t.ID, &t.TokenHash, &created)
	if err != nil {
		return t, err
	}
	t.Created, err = parseTime(created)
	return t, err
}

// CreateWrikeAdminToken stores an admin token's hash; ErrConflict when the hash exists.
func (s *WrikeStore) CreateWrikeAdminToken(ctx context.Context, t WrikeAdminToken) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO wrike_admin_tokens(id, token_hash, created_at) VALUES (?, ?, ?)`,
			t.ID, t.TokenHash, formatTime(t.Created))
		return wrapUnique(err)
	})
}

// DeleteWrikeAdminTokens deletes every admin token and reports how many there were.
func (s *WrikeStore) DeleteWrikeAdminTokens(ctx context.Context) (int, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM wrike_admin_tokens`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
