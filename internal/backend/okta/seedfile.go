package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

// Org is a team's own Okta org, read from a seed file (wrike-backend --dev
// --okta-seed FILE) instead of the demo org: the Wrike app instance with its
// id, the groups and the people with their profiles. Ids left out are made
// up; ids given are kept, so a configuration that names them runs unchanged.
type Org struct {
	App    OrgApp     `json:"app"`
	Groups []OrgGroup `json:"groups"`
	Users  []OrgUser  `json:"users"`
}

// OrgApp is the Wrike app instance: its id (0oa...) is required, as the
// configuration names it; the label defaults to Wrike.
type OrgApp struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// OrgGroup is a group: a name, and an id (00g...) when the configuration
// names it.
type OrgGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// OrgUser is a person: an Okta base profile (login, email, firstName and
// lastName required), an id (00u...) when the configuration names it, and
// the names of the groups the person is in.
type OrgUser struct {
	ID      string            `json:"id"`
	Profile map[string]string `json:"profile"`
	Groups  []string          `json:"groups"`
}

// maxOrgUsers bounds a seed file: it is read whole and seeded at start-up.
// An error lists its first maxListedProblems problems and counts the others.
const (
	maxOrgUsers       = 10000
	maxListedProblems = 20
)

var (
	orgIDChars = regexp.MustCompile(`^[A-Za-z0-9]{4,64}$`)
	jsonLine   = func(data []byte, offset int64) int {
		return 1 + bytes.Count(data[:min(int(offset), len(data))], []byte("\n"))
	}
)

// ParseOrg reads and checks a seed file. Every problem is reported, each
// naming where it is (users[3] ann@example.com: profile.email: ...), and
// nothing is seeded from a file with any.
func ParseOrg(r io.Reader) (Org, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return Org{}, err
	}
	var org Org
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&org); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return Org{}, fmt.Errorf("line %d: not JSON: %w", jsonLine(data, syntax.Offset), err)
		case errors.As(err, &typ):
			return Org{}, fmt.Errorf("line %d: %s: want a JSON %s, got %s", jsonLine(data, typ.Offset), typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		default:
			// Unknown fields: encoding/json names the field ("json: unknown field \"x\"").
			return Org{}, fmt.Errorf("%w (the file has app, groups and users; a group has id, name and description; a user has id, profile and groups)", err)
		}
	}
	if dec.More() {
		return Org{}, errors.New("more than one JSON value: want one object with app, groups and users")
	}
	return org, org.check()
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "object"
	case "slice":
		return "array"
	}
	return k
}

func (org *Org) check() error {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	checkID := func(where, id, prefix string) {
		if id != "" && (!strings.HasPrefix(id, prefix) || !orgIDChars.MatchString(id)) {
			add("%s: id %q: want Okta's form, %s followed by letters and digits (4 to 64 characters in all)", where, id, prefix)
		}
	}
	if org.App.ID == "" {
		add("app.id: required: the Wrike app instance's id, such as 0oa1b2c3d4e5f6g7h8i9 (what okta_wrike_provisioning's app_id names)")
	}
	checkID("app", org.App.ID, "0oa")
	if org.App.Label == "" {
		org.App.Label = "Wrike"
	}
	ids := map[string]string{}
	seenID := func(where, id string) {
		if id == "" {
			return
		}
		if prev, ok := ids[id]; ok {
			add("%s: id %s is also %s's", where, id, prev)
		}
		ids[id] = where
	}
	seenID("app", org.App.ID)
	groups := map[string]bool{}
	for i, g := range org.Groups {
		where := fmt.Sprintf("groups[%d]", i)
		if g.Name != "" {
			where += " " + g.Name
		}
		name := strings.ToLower(strings.TrimSpace(g.Name))
		switch {
		case name == "":
			add("%s: name: required", where)
		case name == "everyone":
			add("%s: name: Everyone is Okta's built-in group of all users; every person is in it already", where)
		case groups[name]:
			add("%s: name: another group has this name (names are unique, ignoring case)", where)
		}
		groups[name] = true
		checkID(where, g.ID, "00g")
		seenID(where, g.ID)
	}
	if len(org.Users) > maxOrgUsers {
		add("users: %d people; a seed file holds at most %d", len(org.Users), maxOrgUsers)
	}
	logins := map[string]string{}
	for i, u := range org.Users {
		where := fmt.Sprintf("users[%d]", i)
		if u.Profile["login"] != "" {
			where += " " + u.Profile["login"]
		}
		if err := validateProfile(u.Profile, nil); err != nil {
			var v *apiError
			if errors.As(err, &v) {
				for _, c := range v.causes {
					add("%s: %s", where, c)
				}
			}
		}
		if l := u.Profile["login"]; l != "" {
			key := mailaddr.Key(l)
			if prev, ok := logins[key]; ok {
				add("%s: login: %s has the same login (logins are unique, ignoring case)", where, prev)
			}
			logins[key] = where
		}
		checkID(where, u.ID, "00u")
		seenID(where, u.ID)
		for _, name := range u.Groups {
			if !groups[strings.ToLower(strings.TrimSpace(name))] || strings.TrimSpace(name) == "" {
				add("%s: groups: %q is not among the file's groups", where, name)
			}
		}
	}
	total := len(problems)
	if len(problems) > maxListedProblems {
		problems = append(problems[:maxListedProblems], fmt.Sprintf("and %d more", len(problems)-maxListedProblems))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s):\n  %s", total, strings.Join(problems, "\n  "))
	}
	return nil
}

// SeedOrg creates org on first use: its groups, then its people in their
// groups, then the Wrike app instance last, so that a start interrupted
// half-way finishes the seed on the next one (what exists is kept). With the
// app already there it changes nothing; created tells which happened. The
// returned ids are those of the file, or made up where it gave none.
func (s *Server) SeedOrg(ctx context.Context, org Org) (demo Demo, created bool, err error) {
	demo = Demo{AppID: org.App.ID, Groups: map[string]string{}, Users: map[string]string{}}
	_, err = s.store.OktaApp(ctx, org.App.ID)
	switch {
	case err == nil:
		created = false
	case errors.Is(err, store.ErrNotFound):
		created = true
	default:
		return demo, false, err
	}
	now := s.timestamp()
	byName := map[string]string{}
	existing, err := s.store.OktaGroups(ctx, "", maxOrgUsers, func(g store.OktaGroup) bool { return g.Type == "OKTA_GROUP" })
	if err != nil {
		return demo, false, err
	}
	for _, g := range existing {
		byName[strings.ToLower(g.Name)] = g.ID
	}
	for _, g := range org.Groups {
		id, ok := byName[strings.ToLower(strings.TrimSpace(g.Name))]
		if !ok {
			if !created {
				return demo, false, fmt.Errorf("group %s is in the seed file but not in the org seeded from it on an earlier start: the file is read on the first start only (remove the data directory to seed it again)", g.Name)
			}
			id = g.ID
			if id == "" {
				id = "00g" + s.newID()
			}
			rec := store.OktaGroup{ID: id, Type: "OKTA_GROUP", Name: strings.TrimSpace(g.Name), Description: g.Description,
				Created: now, LastUpdated: now, LastMembershipUpdated: now}
			if err := s.store.CreateOktaGroup(ctx, rec); err != nil {
				return demo, false, fmt.Errorf("group %s: %w", g.Name, err)
			}
		}
		demo.Groups[strings.TrimSpace(g.Name)] = id
	}
	for _, u := range org.Users {
		login := u.Profile["login"]
		rec, err := s.store.OktaUser(ctx, login)
		switch {
		case err == nil:
		case errors.Is(err, store.ErrNotFound) && created:
			rec = store.OktaUser{ID: u.ID, Status: "ACTIVE", Profile: u.Profile, Created: now, Activated: now, StatusChanged: now, LastUpdated: now}
			if rec.ID == "" {
				rec.ID = "00u" + s.newID()
			}
			var groupIDs []string
			for _, name := range u.Groups {
				groupIDs = append(groupIDs, demo.Groups[strings.TrimSpace(name)])
			}
			// One call per group list: CreateOktaUsers puts its users in the same groups.
			if _, err := s.store.CreateOktaUsers(ctx, []store.OktaUser{rec}, groupIDs); err != nil {
				return demo, false, fmt.Errorf("user %s: %w", login, err)
			}
		case errors.Is(err, store.ErrNotFound):
			return demo, false, fmt.Errorf("user %s is in the seed file but not in the org seeded from it on an earlier start: the file is read on the first start only (remove the data directory to seed it again)", login)
		default:
			return demo, false, err
		}
		demo.Users[login] = rec.ID
	}
	if created {
		app := store.OktaApp{ID: org.App.ID, Name: "wrike", Label: org.App.Label, Status: "ACTIVE", SignOnMode: "SAML_2_0",
			Created: now, LastUpdated: now, ConnStatus: "DISABLED"}
		if err := s.store.CreateOktaApp(ctx, app); err != nil {
			return demo, false, fmt.Errorf("app %s: %w", org.App.ID, err)
		}
	}
	return demo, created, nil
}
