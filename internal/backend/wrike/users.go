package wrike

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// SCIM schema URNs of the user resource.
const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaWrike      = "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"
)

// user is one provisioned user as held in memory. A user value is never
// changed after it is indexed: an update indexes a new value, so readers can
// use a *user without locks.
type user struct {
	seq           int64
	id            string
	userNameLower string
	externalID    string
	emails        []string // lower-cased
	active        bool
	userType      string
	provider      string
	version       int64
	created       time.Time
	modified      time.Time
	// doc is the resource's JSON without meta.location, ending in `}}`
	// (meta is its last member), as stored but packed (see packDoc).
	doc    []byte
	docLen int32 // the unpacked length of doc
}

func userFromStore(u store.WrikeUser) (*user, error) {
	if !bytes.HasSuffix(u.Resource, []byte("}}")) {
		return nil, fmt.Errorf("user %s: stored resource is not in the expected form", u.ID)
	}
	return &user{
		seq: u.Seq, id: u.ID, userNameLower: u.UserNameLower, externalID: u.ExternalID, emails: u.Emails,
		active: u.Active, userType: u.UserType, provider: u.IdentityProvider, version: u.Version,
		created: u.Created, modified: u.Modified, doc: packDoc(u.Resource), docLen: int32(len(u.Resource)), //nolint:gosec // bounded by the 1 MiB request limit
	}, nil
}

func (u *user) toStore() store.WrikeUser {
	return store.WrikeUser{
		Seq: u.seq, ID: u.id, UserNameLower: u.userNameLower, ExternalID: u.externalID, Emails: u.emails,
		Active: u.active, UserType: u.userType, IdentityProvider: u.provider, Version: u.version,
		Created: u.created, Modified: u.modified, Resource: appendUnpacked(nil, u.doc),
	}
}

// appendJSON appends the full resource with meta.location set from the SCIM
// base URL, without re-encoding the stored document.
func (u *user) appendJSON(dst []byte, scimBase string) []byte {
	dst = appendUnpacked(dst, u.doc[:len(u.doc)-2])
	dst = append(dst, `,"location":`...)
	if plainJSON(scimBase) && plainJSON(u.id) {
		dst = append(dst, '"')
		dst = append(dst, scimBase...)
		dst = append(dst, "/Users/"...)
		dst = append(dst, u.id...)
		dst = append(dst, '"')
	} else {
		loc, _ := json.Marshal(scimBase + "/Users/" + u.id)
		dst = append(dst, loc...)
	}
	return append(dst, "}}"...)
}

// jsonSize is the length of the user's JSON answer, to size buffers.
func (u *user) jsonSize(scimBase string) int {
	return int(u.docLen) + len(scimBase) + len(u.id) + 24 // 24: the location member's name and punctuation
}

// plainJSON reports whether s can be written in a JSON string as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			return false
		}
	}
	return true
}

// etag is the user's entity tag, also its meta.version.
func (u *user) etag() string { return etagFor(u.version) }

func etagFor(version int64) string { return fmt.Sprintf(`W/"%d"`, version) }

// userDoc is the part of a stored resource the admin API shows.
type userDoc struct {
	UserName   string `json:"userName"`
	ExternalID string `json:"externalId"`
	Name       struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Title        string      `json:"title"`
	Emails       []multiItem `json:"emails"`
	PhoneNumbers []multiItem `json:"phoneNumbers"`
	Enterprise   struct {
		Organization string `json:"organization"`
		Department   string `json:"department"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
}

type multiItem struct {
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// primaryValue is the primary item's value, else the first one's.
func primaryValue(items []multiItem) string {
	for _, it := range items {
		if it.Primary {
			return it.Value
		}
	}
	if len(items) > 0 {
		return items[0].Value
	}
	return ""
}

func (u *user) adminFields() (adminUserJSON, error) {
	var d userDoc
	if err := json.Unmarshal(appendUnpacked(nil, u.doc), &d); err != nil {
		return adminUserJSON{}, fmt.Errorf("user %s: %w", u.id, err)
	}
	return adminUserJSON{
		ID: u.id, UserName: d.UserName, ExternalID: d.ExternalID, FirstName: d.Name.GivenName, LastName: d.Name.FamilyName,
		Email: primaryValue(d.Emails), Title: d.Title, Phone: primaryValue(d.PhoneNumbers),
		Organization: d.Enterprise.Organization, Department: d.Enterprise.Department,
		UserType: u.userType, Active: u.active, Billable: u.active, IdentityProvider: u.provider,
	}, nil
}

// userIndex holds every user, indexed by the attributes that SCIM equality
// filters are answered from, and in creation order for stable paging.
type userIndex struct {
	mu         sync.RWMutex
	byID       map[string]*user
	byUserName map[string]*user   // lower-cased userName
	byExternal map[string][]*user // externalId is case-exact
	byEmail    map[string][]*user // lower-cased emails.value
	order      []*user            // by seq
	active     int
}

func newUserIndex() *userIndex {
	return &userIndex{
		byID:       map[string]*user{},
		byUserName: map[string]*user{},
		byExternal: map[string][]*user{},
		byEmail:    map[string][]*user{},
	}
}

func (x *userIndex) get(id string) *user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.byID[id]
}

func (x *userIndex) byName(lower string) *user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.byUserName[lower]
}

func (x *userIndex) withExternalID(ext string) []*user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return slices.Clone(x.byExternal[ext])
}

func (x *userIndex) withEmail(lower string) []*user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return slices.Clone(x.byEmail[lower])
}

// scanChunk bounds how many users scan and count visit under one hold of
// the read lock, so that a long walk never keeps writers waiting long.
const scanChunk = 4096

// scan calls fn for each user created after seq, in creation order, until
// fn returns false or the users run out. fn runs under the read lock: it
// must be quick and must not call the index. Users created during the walk
// may be visited; a user's newest value is the one visited.
func (x *userIndex) scan(after int64, fn func(*user) bool) {
	for {
		x.mu.RLock()
		i, _ := slices.BinarySearchFunc(x.order, after+1, cmpSeq)
		end := min(i+scanChunk, len(x.order))
		for _, u := range x.order[i:end] {
			after = u.seq
			if !fn(u) {
				x.mu.RUnlock()
				return
			}
		}
		x.mu.RUnlock()
		if end-i < scanChunk {
			return
		}
	}
}

// count returns how many users match.
func (x *userIndex) count(match func(*user) bool) int {
	n := 0
	x.scan(0, func(u *user) bool {
		if match(u) {
			n++
		}
		return true
	})
	return n
}

func cmpSeq(v *user, seq int64) int { return cmpInt(v.seq, seq) }

// all returns a snapshot of every user in creation order.
func (x *userIndex) all() []*user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return slices.Clone(x.order)
}

// page returns users [start, start+count) in creation order and the total.
func (x *userIndex) page(start, count int) ([]*user, int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	total := len(x.order)
	if start >= total || count <= 0 {
		return nil, total
	}
	end := min(start+count, total)
	return slices.Clone(x.order[start:end]), total
}

func (x *userIndex) counts() (active, inactive int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.active, len(x.order) - x.active
}

func removeUser(list []*user, u *user) []*user {
	return slices.DeleteFunc(list, func(v *user) bool { return v.id == u.id })
}

// put indexes u, replacing the user with the same id. A stale value (a
// lower version than the one indexed) is ignored.
func (x *userIndex) put(u *user) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if old := x.byID[u.id]; old != nil {
		if old.version > u.version {
			return
		}
		x.unindex(old)
	}
	x.byID[u.id] = u
	x.byUserName[u.userNameLower] = u
	if u.externalID != "" {
		x.byExternal[u.externalID] = append(x.byExternal[u.externalID], u)
	}
	for _, e := range u.emails {
		x.byEmail[e] = append(x.byEmail[e], u)
	}
	if u.active {
		x.active++
	}
	i, found := slices.BinarySearchFunc(x.order, u.seq, cmpSeq)
	if found {
		x.order[i] = u
	} else {
		x.order = slices.Insert(x.order, i, u)
	}
}

// remove drops the user with u's id.
func (x *userIndex) remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.byID[id]
	if old == nil {
		return
	}
	x.unindex(old)
	if i, found := slices.BinarySearchFunc(x.order, old.seq, cmpSeq); found {
		x.order = slices.Delete(x.order, i, i+1)
	}
}

// unindex removes old from the maps (not from order); x.mu is held.
func (x *userIndex) unindex(old *user) {
	delete(x.byID, old.id)
	if x.byUserName[old.userNameLower] == old {
		delete(x.byUserName, old.userNameLower)
	}
	if old.externalID != "" {
		if l := removeUser(x.byExternal[old.externalID], old); len(l) > 0 {
			x.byExternal[old.externalID] = l
		} else {
			delete(x.byExternal, old.externalID)
		}
	}
	for _, e := range old.emails {
		if l := removeUser(x.byEmail[e], old); len(l) > 0 {
			x.byEmail[e] = l
		} else {
			delete(x.byEmail, e)
		}
	}
	if old.active {
		x.active--
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
