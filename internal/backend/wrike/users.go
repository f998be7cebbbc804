package wrike

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
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
	userNameLower string // canonical userName (mailaddr.Key)
	externalID    string
	emails        []string // canonical (mailaddr.Key)
	active        bool
	userType      string
	provider      string
	version       int64
	created       time.Time
	modified      time.Time
	// doc is the resource's JSON without meta (appendJSON writes it from
	// created, modified and version), packed (see packUserDoc); it ends in `}`.
	doc []byte
}

// userFromStore reads a stored user. The store holds the document as doc
// does; one stored as JSON with meta (by an earlier version) is packed here.
func userFromStore(u store.WrikeUser) (*user, error) {
	doc := u.Resource
	if len(doc) > 0 && doc[0] == '{' {
		doc = packUserDoc(doc)
	}
	if !bytes.HasSuffix(doc, []byte("}")) {
		return nil, fmt.Errorf("user %s: stored resource is not in the expected form", u.ID)
	}
	return &user{
		seq: u.Seq, id: u.ID, userNameLower: u.UserNameLower, externalID: u.ExternalID, emails: u.Emails,
		active: u.Active, userType: u.UserType, provider: u.IdentityProvider, version: u.Version,
		created: u.Created, modified: u.Modified, doc: doc,
	}, nil
}

func (u *user) toStore() store.WrikeUser {
	return store.WrikeUser{
		Seq: u.seq, ID: u.id, UserNameLower: u.userNameLower, ExternalID: u.externalID, Emails: u.emails,
		Active: u.active, UserType: u.userType, IdentityProvider: u.provider, Version: u.version,
		Created: u.created, Modified: u.modified, Resource: u.doc,
	}
}

// appendJSON appends the full resource, with meta written from the user's
// fields and meta.location from the SCIM base URL.
func (u *user) appendJSON(dst []byte, scimBase string) []byte {
	dst = appendUnpacked(dst, u.doc[:len(u.doc)-1])
	dst = append(dst, `,"meta":{"resourceType":"User","created":"`...)
	dst = u.created.UTC().AppendFormat(dst, metaTime)
	dst = append(dst, `","lastModified":"`...)
	dst = u.modified.UTC().AppendFormat(dst, metaTime)
	dst = append(dst, `","version":"W/\"`...)
	dst = strconv.AppendInt(dst, u.version, 10)
	dst = append(dst, `\"","location":`...)
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

// jsonSize is about the length of the user's JSON answer, to size buffers.
func (u *user) jsonSize(scimBase string) int {
	return unpackedLen(u.doc) + len(scimBase) + len(u.id) + 180 // 180: meta's names, dates and punctuation
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

func (u *user) adminFields() (wrikeapi.User, error) {
	var d userDoc
	if err := json.Unmarshal(appendUnpacked(nil, u.doc), &d); err != nil {
		return wrikeapi.User{}, fmt.Errorf("user %s: %w", u.id, err)
	}
	return wrikeapi.User{
		ID: u.id, UserName: d.UserName, ExternalID: d.ExternalID, FirstName: d.Name.GivenName, LastName: d.Name.FamilyName,
		Email: primaryValue(d.Emails), Title: d.Title, Phone: primaryValue(d.PhoneNumbers),
		Organization: d.Enterprise.Organization, Department: d.Enterprise.Department,
		UserType: u.userType, Active: u.active, Billable: u.active, IdentityProvider: u.provider,
	}, nil
}
