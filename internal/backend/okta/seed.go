package okta

import (
	"context"
	"errors"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Demo is the demo org --dev seeds: the Wrike app instance, groups by name
// and users by login, with their ids.
type Demo struct {
	AppID  string
	Groups map[string]string
	Users  map[string]string
}

type demoUser struct {
	first, last, domain, title, dept, group string
}

// demoUsers: ten in the approved domain, two in a partner domain that the
// demo never approves, so that provisioning them fails visibly.
var demoUsers = []demoUser{
	{"Ann", "Lee", "acme.example.com", "Engineering Manager", "Engineering", "Engineering"},
	{"Ben", "Ortiz", "acme.example.com", "Backend Engineer", "Engineering", "Engineering"},
	{"Carla", "Diaz", "acme.example.com", "Frontend Engineer", "Engineering", "Engineering"},
	{"Dev", "Patel", "acme.example.com", "Site Reliability Engineer", "Engineering", "Engineering"},
	{"Emma", "Stone", "acme.example.com", "QA Engineer", "Engineering", "Engineering"},
	{"Felix", "Wu", "acme.example.com", "Data Engineer", "Engineering", "Engineering"},
	{"Grace", "Kim", "acme.example.com", "Account Executive", "Sales", "Sales"},
	{"Hugo", "Martin", "acme.example.com", "Sales Manager", "Sales", "Sales"},
	{"Iris", "Novak", "acme.example.com", "Sales Engineer", "Sales", "Sales"},
	{"Jon", "Berg", "acme.example.com", "Account Manager", "Sales", "Sales"},
	{"Pat", "Quinn", "partner.example.net", "Contract Engineer", "Engineering", "Engineering"},
	{"Sam", "Reed", "partner.example.net", "Reseller", "Sales", "Sales"},
}

// SeedDemo creates the demo org on first use: the Wrike app instance (label
// Wrike), the groups Engineering and Sales and twelve users whose profiles
// carry the eight attributes that map to Wrike. When the org is already
// seeded it changes nothing and returns the existing ids; created tells
// which happened.
func (s *Server) SeedDemo(ctx context.Context) (demo Demo, created bool, err error) {
	demo = Demo{Groups: map[string]string{}, Users: map[string]string{}}
	apps, err := s.store.OktaApps(ctx, "", 1, func(a store.OktaApp) bool { return a.Name == "wrike" && a.Label == "Wrike" })
	if err != nil {
		return demo, false, err
	}
	if len(apps) == 1 {
		demo.AppID = apps[0].ID
		groups, err := s.store.OktaGroups(ctx, "", 10000, func(g store.OktaGroup) bool { return g.Name == "Engineering" || g.Name == "Sales" })
		if err != nil {
			return demo, false, err
		}
		for _, g := range groups {
			demo.Groups[g.Name] = g.ID
		}
		for _, d := range demoUsers {
			u, err := s.store.OktaUser(ctx, d.login())
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return demo, false, err
			}
			demo.Users[u.Login()] = u.ID
		}
		return demo, false, nil
	}
	now := s.timestamp()
	app := store.OktaApp{ID: "0oa" + s.newID(), Name: "wrike", Label: "Wrike", Status: "ACTIVE", SignOnMode: "SAML_2_0",
		Created: now, LastUpdated: now, ConnStatus: "DISABLED"}
	if err := s.store.CreateOktaApp(ctx, app); err != nil {
		return demo, false, err
	}
	demo.AppID = app.ID
	for _, name := range []string{"Engineering", "Sales"} {
		g := store.OktaGroup{ID: "00g" + s.newID(), Type: "OKTA_GROUP", Name: name, Description: name + " department",
			Created: now, LastUpdated: now, LastMembershipUpdated: now}
		if err := s.store.CreateOktaGroup(ctx, g); err != nil {
			return demo, false, err
		}
		demo.Groups[name] = g.ID
	}
	for i, d := range demoUsers {
		org := "Acme Corp"
		if d.domain != "acme.example.com" {
			org = "Partner Ltd"
		}
		u := store.OktaUser{ID: "00u" + s.newID(), Status: "ACTIVE", Created: now, Activated: now, StatusChanged: now, LastUpdated: now,
			Profile: map[string]string{"login": d.login(), "email": d.login(), "firstName": d.first, "lastName": d.last,
				"title": d.title, "primaryPhone": "+1 555 01" + string(rune('0'+i/10)) + string(rune('0'+i%10)),
				"organization": org, "department": d.dept}}
		if _, err := s.store.CreateOktaUsers(ctx, []store.OktaUser{u}, []string{demo.Groups[d.group]}); err != nil {
			return demo, false, err
		}
		demo.Users[d.login()] = u.ID
	}
	return demo, true, nil
}

func (d demoUser) login() string {
	return strings.ToLower(d.first) + "." + strings.ToLower(d.last) + "@" + d.domain
}
