package store

import (
	"context"
)

// WrikeAPIApps lists API apps in creation order.
func (s *WrikeStore) WrikeAPIApps(ctx context.Context) ([]WrikeAPIApp, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, name, description, token_hash, created_at, token_created_at
		FROM wrike_api_apps ORDER BY rowid`)
	return collect(rows, err, scanWrikeAPIApp, nil, -1)
}

func scanWrikeAPIApp(sc rowScanner) (WrikeAPIApp, error) {
	var a WrikeAPIApp
	var created, tokenCreated string
	err := sc.Scan(&a.ID, &a.Name, &a.Description, &a.TokenHash, &created, &tokenCreated)
	if err != nil {
		return a, err
	}
	if a.Created, err = parseTime(created); err != nil {
		return a, err
	}
	a.TokenCreated, err = parseTime(tokenCreated)
	return a, err
}

// CreateWrikeAPIApp stores an API app; ErrConflict when the id or token hash exists.
func (s *WrikeStore) CreateWrikeAPIApp(ctx context.Context, a WrikeAPIApp) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO wrike_api_apps(id, name, description, token_hash, created_at, token_created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Name, a.Description, a.TokenHash, formatTime(a.Created), formatTime(a.TokenCreated))
		return wrapUnique(err)
	})
}

// UpdateWrikeAPIApp replaces an API app's name, description and token; ErrNotFound when missing.
func (s *WrikeStore) UpdateWrikeAPIApp(ctx context.Context, a WrikeAPIApp) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		return mustAffect(q.ExecContext(ctx, `UPDATE wrike_api_apps SET name = ?, description = ?, token_hash = ?, token_created_at = ?
			WHERE id = ?`, a.Name, a.Description, a.TokenHash, formatTime(a.TokenCreated), a.ID))
	})
}

// DeleteWrikeAPIApp removes an API app (and with it its token); ErrNotFound when missing.
func (s *WrikeStore) DeleteWrikeAPIApp(ctx context.Context, id string) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		return mustAffect(q.ExecContext(ctx, `DELETE FROM wrike_api_apps WHERE id = ?`, id))
	})
}
