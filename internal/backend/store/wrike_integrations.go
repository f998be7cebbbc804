package store

import (
	"context"
)

// WrikeSCIMIntegrations lists the stored integrations (providers never
// configured are absent).
func (s *WrikeStore) WrikeSCIMIntegrations(ctx context.Context) ([]WrikeSCIMIntegration, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT provider, enabled, default_user_type, updated_at
		FROM wrike_scim_integrations ORDER BY provider`)
	return collect(rows, err, scanWrikeSCIMIntegration, nil, -1)
}

func scanWrikeSCIMIntegration(sc rowScanner) (WrikeSCIMIntegration, error) {
	var in WrikeSCIMIntegration
	var updated string
	err := sc.Scan(&in.Provider, &in.Enabled, &in.DefaultUserType, &updated)
	if err != nil {
		return in, err
	}
	in.Updated, err = parseTime(updated)
	return in, err
}

// PutWrikeSCIMIntegration creates or replaces one provider's integration.
func (s *WrikeStore) PutWrikeSCIMIntegration(ctx context.Context, in WrikeSCIMIntegration) error {
	return s.write(ctx, func(ctx context.Context, q preparedQuerier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO wrike_scim_integrations(provider, enabled, default_user_type, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled,
				default_user_type = excluded.default_user_type, updated_at = excluded.updated_at`,
			in.Provider, in.Enabled, in.DefaultUserType, formatTime(in.Updated))
		return err
	})
}
