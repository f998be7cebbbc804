package store

import (
	"context"
)

// WrikeApprovedDomains lists approved domains in creation order.
func (s *WrikeStore) WrikeApprovedDomains(ctx context.Context) ([]WrikeApprovedDomain, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, domain, created_at FROM wrike_approved_domains ORDER BY rowid`)
	return collect(rows, err, scanWrikeApprovedDomain, nil, -1)
}

func scanWrikeApprovedDomain(sc rowScanner) (WrikeApprovedDomain, error) {
	var d WrikeApprovedDomain
	var created string
	err := sc.Scan(&d.ID, &d.Domain, &created)
	if err != nil {
		return d, err
	}
	d.Created, err = parseTime(created)
	return d, err
}

// CreateWrikeApprovedDomain stores a domain; ErrConflict when it exists.
func (s *WrikeStore) CreateWrikeApprovedDomain(ctx context.Context, d WrikeApprovedDomain) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO wrike_approved_domains(id, domain, created_at) VALUES (?, ?, ?)`,
			d.ID, d.Domain, formatTime(d.Created))
		return wrapUnique(err)
	})
}

// DeleteWrikeApprovedDomain removes a domain by id; ErrNotFound when missing.
func (s *WrikeStore) DeleteWrikeApprovedDomain(ctx context.Context, id string) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		return mustAffect(q.ExecContext(ctx, `DELETE FROM wrike_approved_domains WHERE id = ?`, id))
	})
}
