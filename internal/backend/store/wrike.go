package store

import (
	"context"
	"database/sql"
	"time"
)

// The Wrike face's records. The face keeps all of them in memory and uses
// the store to make every change durable before it becomes visible.

// WrikeAccount is the one Wrike account the backend plays.
type WrikeAccount struct {
	ID      string
	Name    string
	Created time.Time
}

// WrikeAdminToken is an admin API token, known only by its hash.
type WrikeAdminToken struct {
	ID        string
	TokenHash []byte
	Created   time.Time
}

// WrikeApprovedDomain is an email domain whose users may be provisioned.
type WrikeApprovedDomain struct {
	ID      string
	Domain  string // canonical: A-labels, lower case (mailaddr)
	Created time.Time
}

// WrikeAPIApp is an API app with its permanent v4 token, known only by its hash.
type WrikeAPIApp struct {
	ID           string
	Name         string
	Description  string
	TokenHash    []byte
	Created      time.Time
	TokenCreated time.Time
}

// WrikeSCIMIntegration is the SCIM configuration for one identity provider.
type WrikeSCIMIntegration struct {
	Provider        string
	Enabled         bool
	DefaultUserType string
	Updated         time.Time
}

// WrikeUser is a SCIM-provisioned user: the resource as served plus the
// columns that are indexed or filtered on without parsing it.
type WrikeUser struct {
	Seq              int64 // assigned on create; the stable paging order
	ID               string
	UserNameLower    string
	ExternalID       string // "" when absent
	Emails           []string
	Active           bool
	UserType         string
	IdentityProvider string
	Version          int64
	Created          time.Time
	Modified         time.Time
	Resource         []byte
}

// WrikeStore is the Wrike face's persistence: a view of a DB, like OktaStore
// the Okta face's.
type WrikeStore struct {
	db *DB
}

// NewWrikeStore returns the Wrike face's store on db, with the user writes
// prepared on the writer's connection (see prepare): SCIM creates and
// updates run them by the thousand.
func NewWrikeStore(db *DB) *WrikeStore {
	db.prepare(wrikeUserWrites...)
	return &WrikeStore{db: db}
}

// write runs fn inside a durable write (see DB.Write), with q running the
// statements NewWrikeStore prepared as prepared statements (a concrete
// preparedQuerier, not a querier: through an interface a statement's
// arguments escape to the heap). Once the writer has started a write, its
// statements run to the end whatever becomes of ctx (Write still drops a
// write whose ctx ended before its turn): SQLite answers an interrupted
// statement by rolling back the whole transaction, and with it the other
// writes of the batch; and a statement watching a context costs the driver a
// goroutine, on the face's hottest path.
func (s *WrikeStore) write(ctx context.Context, fn func(ctx context.Context, q preparedQuerier) error) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(context.WithoutCancel(ctx), preparedQuerier{db: s.db, tx: tx})
	})
}
