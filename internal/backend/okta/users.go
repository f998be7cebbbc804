package okta

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// profileAttributes are the attributes of Okta's base user profile.
var profileAttributes = map[string]bool{
	"login": true, "email": true, "secondEmail": true, "firstName": true, "lastName": true, "middleName": true,
	"honorificPrefix": true, "honorificSuffix": true, "title": true, "displayName": true, "nickName": true,
	"profileUrl": true, "primaryPhone": true, "mobilePhone": true, "streetAddress": true, "city": true,
	"state": true, "zipCode": true, "countryCode": true, "postalAddress": true, "preferredLanguage": true,
	"locale": true, "timezone": true, "userType": true, "employeeNumber": true, "costCenter": true,
	"organization": true, "division": true, "department": true, "managerId": true, "manager": true,
}

var requiredProfile = []string{"login", "email", "firstName", "lastName"}

// profileMaxLength is the most characters of a profile attribute: the
// maxLength of Okta's base user schema where it states one (login, email,
// secondEmail, primaryPhone and mobilePhone 100; firstName and lastName 50),
// else no more than the Wrike face takes for the SCIM attribute the value is
// pushed to (scim.MaxNameLength for names and the title, DefaultMaxLength
// otherwise), so that a profile Okta accepts also provisions.
var profileMaxLength = map[string]int{
	"login": 100, "email": 100, "secondEmail": 100, "primaryPhone": scim.MaxPhoneLength, "mobilePhone": scim.MaxPhoneLength,
	"firstName": 50, "lastName": 50,
	"middleName": scim.MaxNameLength, "honorificPrefix": scim.MaxNameLength, "honorificSuffix": scim.MaxNameLength,
	"title": scim.MaxNameLength, "displayName": scim.MaxNameLength, "nickName": scim.MaxNameLength,
}

// maxProfileLength is the limit of attribute k.
func maxProfileLength(k string) int {
	if n, ok := profileMaxLength[k]; ok {
		return n
	}
	return scim.DefaultMaxLength
}

// Group profile limits, as Okta's: a name of 255 characters, a description of 1,024.
const (
	maxGroupName        = 255
	maxGroupDescription = 1024
)

// tooLong is Okta's validation error for a value over limit characters, or nil.
func tooLong(field, v string, limit int) error {
	if len(v) <= limit {
		return nil
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return invalid(field, fmt.Sprintf("%s: The field is too long (at most %d characters; it has %d)", field, limit, n))
	}
	return nil
}

type userJSON struct {
	ID              string            `json:"id"`
	Status          string            `json:"status"`
	Created         string            `json:"created"`
	Activated       *string           `json:"activated"`
	StatusChanged   *string           `json:"statusChanged"`
	LastLogin       *string           `json:"lastLogin"`
	LastUpdated     string            `json:"lastUpdated"`
	PasswordChanged *string           `json:"passwordChanged"`
	Type            map[string]string `json:"type"`
	Profile         map[string]string `json:"profile"`
	Credentials     map[string]any    `json:"credentials"`
	Links           map[string]any    `json:"_links"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func renderUser(r *http.Request, u store.OktaUser) userJSON {
	self := baseURL(r) + "/api/v1/users/" + u.ID
	return userJSON{
		ID: u.ID, Status: u.Status, Created: u.Created, Activated: nullable(u.Activated),
		StatusChanged: nullable(u.StatusChanged), LastUpdated: u.LastUpdated,
		Type:        map[string]string{"id": "oty00000000000000000"},
		Profile:     u.Profile,
		Credentials: map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}},
		Links:       map[string]any{"self": link(self)},
	}
}

func link(href string) map[string]string { return map[string]string{"href": href} }

// profileInput is a profile in a request: string values, null to clear.
type profileInput map[string]*string

// validateProfile checks a whole profile: only known attributes, the four
// required ones present, login and the emails valid email addresses
// (mailaddr: one '@', RFC 5321 lengths, no look-alike characters), each
// attribute within its length limit.
// prev, on an update, is the profile being changed: an attribute left as it
// was is not held to its length limit, so that a user stored before the
// limits existed can still be updated and deactivated.
func validateProfile(p, prev map[string]string) error {
	var causes []string
	for _, k := range sortedKeys(p) {
		if !profileAttributes[k] {
			causes = append(causes, "profile."+k+": Property name '"+k+"' is not defined in the user profile")
		}
	}
	for _, k := range requiredProfile {
		if strings.TrimSpace(p[k]) == "" {
			causes = append(causes, k+": The field cannot be left blank")
		}
	}
	for _, k := range sortedKeys(p) {
		if v, ok := prev[k]; ok && v == p[k] {
			continue
		}
		var ve *apiError
		if err := tooLong(k, p[k], maxProfileLength(k)); errors.As(err, &ve) {
			causes = append(causes, ve.causes...)
		}
	}
	for _, k := range []string{"login", "email", "secondEmail"} {
		if v := p[k]; v != "" {
			if _, err := mailaddr.Parse(v); err != nil {
				causes = append(causes, k+": Does not match required pattern (an email address): "+err.Error())
			}
		}
	}
	if len(causes) > 0 {
		return invalid("User", causes...)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apply merges an input profile into p: a null clears an attribute.
func (in profileInput) apply(p map[string]string) {
	for k, v := range in {
		if v == nil || *v == "" {
			delete(p, k)
		} else {
			p[k] = *v
		}
	}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Profile  profileInput `json:"profile"`
		GroupIDs []string     `json:"groupIds"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	activate := r.URL.Query().Get("activate") != "false"
	profile := map[string]string{}
	body.Profile.apply(profile)
	if err := validateProfile(profile, nil); err != nil {
		return notFound(err, "User", "")
	}
	now := s.timestamp()
	u := store.OktaUser{ID: "00u" + s.newID(), Status: "STAGED", Profile: profile, Created: now, LastUpdated: now, StatusChanged: ""}
	if activate {
		u.Status, u.Activated, u.StatusChanged = "ACTIVE", now, now
	}
	tasks, err := s.store.CreateOktaUsers(r.Context(), []store.OktaUser{u}, body.GroupIDs)
	switch {
	case errors.Is(err, store.ErrConflict):
		return invalid("login", "login: An object with this field already exists in the current organization")
	case errors.Is(err, store.ErrNotFound):
		return invalid("groupIds", "groupIds: one of the groups does not exist")
	case err != nil:
		return notFound(err, "User", "")
	}
	s.engine.enqueue(tasks)
	writeJSON(w, http.StatusOK, renderUser(r, u))
	return nil
}

func userAttr(u store.OktaUser) func(string) (string, bool) {
	return func(attr string) (string, bool) {
		switch attr {
		case "id":
			return u.ID, true
		case "status":
			return u.Status, true
		case "created":
			return u.Created, true
		case "activated":
			return u.Activated, u.Activated != ""
		case "statusChanged":
			return u.StatusChanged, u.StatusChanged != ""
		case "lastUpdated":
			return u.LastUpdated, true
		}
		if k, ok := strings.CutPrefix(attr, "profile."); ok {
			v, ok := u.Profile[k]
			return v, ok
		}
		return "", false
	}
}

func userFilterAttr(attr string) bool {
	switch attr {
	case "id", "status", "created", "activated", "statusChanged", "lastUpdated":
		return true
	}
	k, ok := strings.CutPrefix(attr, "profile.")
	return ok && profileAttributes[k]
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r, defaultLimit, maxLimit)
	if err != nil {
		return notFound(err, "User", "")
	}
	q := r.URL.Query()
	var exprs []filterExpr
	for _, param := range []string{"filter", "search"} {
		if v := q.Get(param); v != "" {
			e, err := parseFilter(v, userFilterAttr)
			if err != nil {
				return apiErr(http.StatusBadRequest, "E0000031", "Invalid search criteria.", param+": "+err.Error())
			}
			exprs = append(exprs, e)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	var users []store.OktaUser
	if login, ok := exactLookup(exprs); ok && prefix == "" {
		// The common `profile.login eq "x"` lookup is answered from the
		// index; the expression is only confirmed on that one user.
		u, err := s.store.OktaUser(r.Context(), login)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return notFound(err, "User", "")
		}
		if err == nil && u.ID > after && exprs[0].eval(userAttr(u), nil) {
			users = append(users, u)
		}
	} else if len(exprs) == 0 && prefix == "" {
		users, err = s.store.OktaUsers(r.Context(), after, limit+1, nil)
		if err != nil {
			return notFound(err, "User", "")
		}
	} else {
		sr, end, err := s.startSearch(r, searchParam(q))
		if err != nil {
			return err
		}
		defer end()
		users, err = s.store.OktaUsers(sr.ctx, after, limit+1, func(u store.OktaUser) bool {
			if !sr.row(profileCost(u.Profile)) {
				return false
			}
			for _, e := range exprs {
				if !e.eval(userAttr(u), sr.meter) || sr.over() {
					return false
				}
			}
			if prefix != "" {
				for _, k := range []string{"login", "email", "firstName", "lastName"} {
					if !sr.charge(prefixCost(u.Profile[k], prefix)) {
						return false
					}
					if strings.HasPrefix(strings.ToLower(u.Profile[k]), prefix) {
						return true
					}
				}
				return false
			}
			return true
		})
		if err = sr.result(err); err != nil {
			return notFound(err, "User", "")
		}
	}
	writePage(w, r, users, limit, func(u store.OktaUser) string { return u.ID },
		func(u store.OktaUser) userJSON { return renderUser(r, u) })
	return nil
}

// searchParam names the parameter a refused search names: search, filter
// or q, the first given.
func searchParam(q url.Values) string {
	for _, p := range []string{"search", "filter", "q"} {
		if q.Get(p) != "" {
			return p
		}
	}
	return "search"
}

// exactLookup recognises a lone `profile.login eq "x"` or `id eq "x"`.
func exactLookup(exprs []filterExpr) (string, bool) {
	if len(exprs) != 1 {
		return "", false
	}
	c, ok := exprs[0].(cmpExpr)
	if !ok || c.op != "eq" || (c.attr != "profile.login" && c.attr != "id") {
		return "", false
	}
	return c.value, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	u, err := s.store.OktaUser(r.Context(), id)
	if err != nil {
		return notFound(err, "User", id)
	}
	writeJSON(w, http.StatusOK, renderUser(r, u))
	return nil
}

func (s *Server) partialUpdateUser(w http.ResponseWriter, r *http.Request) error {
	return s.updateUser(w, r, false)
}

func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request) error {
	return s.updateUser(w, r, true)
}

// updateUser changes a profile: POST merges the given attributes, PUT
// replaces the whole profile. A change is pushed to the apps the user is
// assigned to.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, replace bool) error {
	id := r.PathValue("id")
	var body struct {
		Profile profileInput `json:"profile"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.Profile == nil && replace {
		return invalid("profile", "profile: The field cannot be left blank")
	}
	current, err := s.store.OktaUser(r.Context(), id)
	if err != nil {
		return notFound(err, "User", id)
	}
	changed := false
	u, tasks, err := s.store.UpdateOktaUser(r.Context(), current.ID, "profile", func(u *store.OktaUser) error {
		next := map[string]string{}
		if !replace {
			next = maps.Clone(u.Profile)
		}
		body.Profile.apply(next)
		if err := validateProfile(next, u.Profile); err != nil {
			return err
		}
		changed = !maps.Equal(next, u.Profile)
		if !changed {
			return errUnchanged
		}
		u.Profile, u.LastUpdated = next, s.timestamp()
		return nil
	})
	if errors.Is(err, errUnchanged) {
		writeJSON(w, http.StatusOK, renderUser(r, current))
		return nil
	}
	if errors.Is(err, store.ErrConflict) {
		err = invalid("login", "login: An object with this field already exists in the current organization")
	}
	if err != nil {
		return notFound(err, "User", id)
	}
	s.engine.enqueue(tasks)
	writeJSON(w, http.StatusOK, renderUser(r, u))
	return nil
}

// errUnchanged aborts a write that would change nothing.
var errUnchanged = errors.New("unchanged")

var errStatus = forbidden("E0000038", "This operation is not allowed in the user's current status.")

// lifecycle runs a user lifecycle operation. Deactivation and activation are
// pushed to the apps the user is assigned to.
func (s *Server) lifecycle(op string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		current, err := s.store.OktaUser(r.Context(), id)
		if err != nil {
			return notFound(err, "User", id)
		}
		_, tasks, err := s.store.UpdateOktaUser(r.Context(), current.ID, op, func(u *store.OktaUser) error {
			now := s.timestamp()
			switch op {
			case "activate":
				if u.Status != "STAGED" && u.Status != "DEPROVISIONED" {
					return forbidden("E0000016", "Activation failed because the user is already active")
				}
				u.Status, u.Activated = "ACTIVE", now
			case "reactivate":
				if u.Status != "PROVISIONED" && u.Status != "RECOVERY" {
					return errStatus
				}
				u.Status = "ACTIVE"
			case "deactivate":
				if u.Status == "DEPROVISIONED" {
					return errUnchanged
				}
				u.Status = "DEPROVISIONED"
			case "suspend":
				if u.Status != "ACTIVE" {
					return errStatus
				}
				u.Status = "SUSPENDED"
			case "unsuspend":
				if u.Status != "SUSPENDED" {
					return errStatus
				}
				u.Status = "ACTIVE"
			}
			u.StatusChanged, u.LastUpdated = now, now
			return nil
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return notFound(err, "User", id)
		}
		s.engine.enqueue(tasks)
		writeJSON(w, http.StatusOK, map[string]any{})
		return nil
	}
}

// deleteUser follows Okta: deleting a user that is not deactivated
// deactivates it; deleting a deactivated user removes it.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	u, err := s.store.OktaUser(r.Context(), id)
	if err != nil {
		return notFound(err, "User", id)
	}
	if u.Status != "DEPROVISIONED" {
		_, tasks, err := s.store.UpdateOktaUser(r.Context(), u.ID, "deactivate", func(u *store.OktaUser) error {
			now := s.timestamp()
			u.Status, u.StatusChanged, u.LastUpdated = "DEPROVISIONED", now, now
			return nil
		})
		if err != nil {
			return notFound(err, "User", id)
		}
		s.engine.enqueue(tasks)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	// The deactivation pushed for the first DELETE may still be retrying:
	// the store keeps what the engine needs to finish it.
	tasks, err := s.store.DeleteOktaUser(r.Context(), u.ID, s.timestamp())
	if err != nil {
		return notFound(err, "User", id)
	}
	s.engine.enqueue(tasks)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	u, err := s.store.OktaUser(r.Context(), id)
	if err != nil {
		return notFound(err, "User", id)
	}
	groups, err := s.store.OktaUserGroups(r.Context(), u.ID)
	if err != nil {
		return notFound(err, "User", id)
	}
	out := make([]groupJSON, 0, len(groups))
	for _, g := range groups {
		out = append(out, renderGroup(r, g))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
