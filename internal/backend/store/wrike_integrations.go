package store

import (
	"context"
	"database/sql"
)

// WrikeSCIMIntegrations lists the stored integrations (providers never
// configured are absent).
func (db *DB) WrikeSCIMIntegrations(ctx context.Context) ([]WrikeSCIMIntegration, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT provider, enabled, default_user_type, updated_at
		FROM wrike_scim_integrations ORDER BY provider`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []WrikeSCIMIntegration
	for rows.Next() {
		var in WrikeSCIMIntegration
		var updated string
		if err := rows.Scan(&in.Provider, &in.Enabled, &in.DefaultUserType, &updated); err != nil {
			return nil, err
		}
		if in.Updated, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// PutWrikeSCIMIntegration creates or replaces one provider's integration.
func (db *DB) PutWrikeSCIMIntegration(ctx context.Context, in WrikeSCIMIntegration) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO wrike_scim_integrations(provider, enabled, default_user_type, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT(provider) DO UPDATE SET enabled = excluded.enabled,
				default_user_type = excluded.default_user_type, updated_at = excluded.updated_at`,
			in.Provider, in.Enabled, in.DefaultUserType, formatTime(in.Updated))
		return err
	})
}
