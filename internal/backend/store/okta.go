package store

import (
	"encoding/json"
	"fmt"
)

// The Okta face's records. Timestamps are strings in Okta's format
// (2006-01-02T15:04:05.000Z) so that they sort and compare as text.

// OktaAPIToken is an SSWS token of the Okta face, kept only as a hash.
type OktaAPIToken struct {
	ID, Name, TokenHash, Created string
}

// OktaUser is a directory user. Profile holds Okta's base profile attributes.
type OktaUser struct {
	ID, Status                                     string
	Profile                                        map[string]string
	Created, Activated, StatusChanged, LastUpdated string
}

// Login is the user's Okta username.
func (u OktaUser) Login() string { return u.Profile["login"] }

// OktaGroup is a directory group; Type is OKTA_GROUP or BUILT_IN (Everyone).
type OktaGroup struct {
	ID, Type, Name, Description                 string
	Created, LastUpdated, LastMembershipUpdated string
}

// OktaApp is an app instance with its provisioning connection and the three
// USER_PROVISIONING capabilities. ConnToken is the downstream SCIM bearer
// token; it never leaves the backend.
type OktaApp struct {
	ID, Name, Label, Status, SignOnMode, Created, LastUpdated string
	ConnBaseURL, ConnToken, ConnStatus                        string
	FeatCreate, FeatUpdate, FeatDeactivate                    bool
}

// OktaAppGroup is a group assigned to an app.
type OktaAppGroup struct {
	AppID, GroupID       string
	Priority             int
	Profile              map[string]string
	Created, LastUpdated string
}

// OktaAppUser is a user's effective assignment to an app (direct, through
// groups, or both) joined with the engine's view of the downstream account.
type OktaAppUser struct {
	AppID, UserID, Login string
	// Scope is USER when the user is assigned directly, else GROUP.
	Scope                string
	Profile              map[string]string
	Created, LastUpdated string
	OktaAppUserState
	// Pending is true while provisioning tasks for this user are queued.
	Pending bool
}

// OktaAppUserState is what the provisioning engine knows of a user's
// downstream account.
type OktaAppUserState struct {
	AppID, UserID, ExternalID                  string
	RemoteActive                               bool
	Status, SyncState, StatusChanged, LastSync string
	// CreateTried: a create was sent and not seen to succeed; the account
	// may exist though ExternalID is empty.
	CreateTried bool
}

// OktaTask is the durable provisioning task of an (app, user) pair: one per
// pair, whatever number of changes queued it. Version counts those changes,
// so that an attempt finishes the task only when no change arrived while it
// ran. Status is PENDING (queued, maybe waiting until NotBefore) or FAILED
// (given up; listed and retried through the tasks API).
type OktaTask struct {
	Seq                          int64
	ID                           string
	AppID, UserID, Kind, Created string
	Version                      int64
	Status, Operation, LastError string
	Attempts                     int
	// FirstAttempt and LastAttempt are the times of the first and latest
	// attempt; RetrySince starts the current retry window.
	FirstAttempt, LastAttempt, RetrySince, NotBefore string
	// Login is the user's login, filled in by listings.
	Login string
}

// Provisioning task statuses.
const (
	TaskPending = "PENDING"
	TaskFailed  = "FAILED"
)

// OktaTaskOutcome is the result of one provisioning attempt for the task
// version the attempt ran for.
type OktaTaskOutcome struct {
	AppID, UserID string
	Version       int64
	// Done: the account is in line; the task is removed unless a newer
	// change queued it again meanwhile.
	Done bool
	// Otherwise the attempt failed at At with Error while doing Operation;
	// Status is PENDING (retry at NotBefore) or FAILED (give up).
	Operation, Error, At, Status, NotBefore string
	// State (when its AppID is set) and Events are saved with the outcome.
	State  OktaAppUserState
	Events []OktaLogEvent
	// UserDeleted: the user is UserDeleted; removed once nothing is left to
	// deactivate.
	UserDeleted bool
}

// OktaSyncView is everything the engine needs to bring one user's downstream
// account in line with Okta.
type OktaSyncView struct {
	App       OktaApp
	AppFound  bool
	User      OktaUser
	UserFound bool
	// Assigned is true when the user is assigned directly or through a group.
	Assigned bool
	// UserType is the assignment's userType: the direct assignment's when it
	// sets one, else the highest-priority group assignment's that sets one.
	UserType string
	State    OktaAppUserState
	HasState bool
}

// OktaLogEvent is one System Log event; Body is the event's JSON.
type OktaLogEvent struct {
	Seq                                          int64
	UUID, Published, EventType, Outcome, ActorID string
	TargetIDs                                    []string
	Body                                         []byte
}

// OktaLogQuery selects System Log events published in [Since, Until).
type OktaLogQuery struct {
	Since, Until string
	// AfterSeq continues a listing after the event with that sequence number.
	AfterSeq int64
	// Limit is the most events listed (none when it is not positive).
	Limit      int
	Descending bool
	Match      func(OktaLogEvent) bool
}

// OktaStore is the Okta face's persistence: a view of a DB, like WrikeStore
// the Wrike face's.
type OktaStore struct {
	db *DB
}

// NewOktaStore returns the Okta face's store on db, with the user creates
// and the engine's write statements prepared on the writer's connection
// (see prepare).
func NewOktaStore(db *DB) *OktaStore {
	db.prepare(oktaUserWrites...)
	db.prepare(engineWrites...)
	return &OktaStore{db: db}
}

// engineWrites are the statements of SaveOktaTaskOutcome and enqueueForUser.
var engineWrites = []string{deleteTaskSQL, failTaskSQL, upsertStateSQL, insertEventSQL, enqueueForUserSQL + queueTask}

func encodeProfile(p map[string]string) string {
	if p == nil {
		p = map[string]string{}
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func decodeProfile(s string) (map[string]string, error) {
	p := map[string]string{}
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("store: decode profile: %w", err)
	}
	return p, nil
}
