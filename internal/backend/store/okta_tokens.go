package store

import (
	"context"
	"database/sql"
	"errors"
)

// CreateOktaAPIToken stores a new API token.
func (s *OktaStore) CreateOktaAPIToken(ctx context.Context, t OktaAPIToken) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO okta_api_tokens(id, name, token_hash, created) VALUES (?, ?, ?, ?)`,
			t.ID, t.Name, t.TokenHash, t.Created)
		if uniqueViolation(err) {
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
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
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
