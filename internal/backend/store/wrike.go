package store

import (
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
