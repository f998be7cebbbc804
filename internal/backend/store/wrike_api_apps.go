package store

import (
	"context"
	"database/sql"
)

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
