package store

import (
	"context"
	"database/sql"
)

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
