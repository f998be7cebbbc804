package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWrikeUsersRoundTripAndConstraints(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := WrikeUser{ID: "u1", UserNameLower: "ann@example.com", ExternalID: "ext-1", Emails: []string{"ann@example.com", "a@example.com"},
		Active: true, UserType: "Regular", IdentityProvider: "okta", Version: 1, Created: now, Modified: now, Resource: []byte(`{"a":{}}`)}
	if err := db.CreateWrikeUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if u.Seq == 0 {
		t.Fatal("seq not assigned")
	}
	dup := u
	dup.ID = "u2"
	if err := db.CreateWrikeUser(ctx, &dup); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate userName: %v, want ErrConflict", err)
	}
	v2 := u
	v2.Version, v2.Active, v2.Emails = 2, false, []string{"ann@example.com"}
	if err := db.UpdateWrikeUser(ctx, v2, 5); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("stale version: %v, want ErrPrecondition", err)
	}
	if err := db.UpdateWrikeUser(ctx, v2, 1); err != nil {
		t.Fatal(err)
	}
	v2.ID = "missing"
	if err := db.UpdateWrikeUser(ctx, v2, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	other := WrikeUser{ID: "u3", UserNameLower: "bob@example.com", Active: true, UserType: "External", IdentityProvider: "azure_ad",
		Version: 1, Created: now, Modified: now, Resource: []byte(`{"b":{}}`), Emails: []string{"bob@example.com"}}
	if err := db.CreateWrikeUser(ctx, &other); err != nil {
		t.Fatal(err)
	}
	var got []WrikeUser
	if err := db.WrikeUsers(ctx, func(w WrikeUser) error { got = append(got, w); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "u1" || got[0].Active || got[0].Version != 2 || len(got[0].Emails) != 1 ||
		got[1].ID != "u3" || got[1].Emails[0] != "bob@example.com" || got[0].ExternalID != "ext-1" || !got[0].Created.Equal(now) {
		t.Fatalf("loaded = %+v", got)
	}
	if err := db.DeleteWrikeUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteWrikeUser(ctx, "u1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM wrike_user_emails`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("emails left = %d (%v); a deleted user's emails must go with it", n, err)
	}
}

func TestWrikeAdminRecords(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC()
	if err := db.CreateWrikeApprovedDomain(ctx, WrikeApprovedDomain{ID: "d1", Domain: "example.com", Created: now}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateWrikeApprovedDomain(ctx, WrikeApprovedDomain{ID: "d2", Domain: "example.com", Created: now}); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate domain: %v", err)
	}
	if err := db.DeleteWrikeApprovedDomain(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	app := WrikeAPIApp{ID: "a1", Name: "n", TokenHash: []byte{1}, Created: now, TokenCreated: now}
	if err := db.CreateWrikeAPIApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	app.TokenHash = []byte{2}
	if err := db.UpdateWrikeAPIApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	apps, err := db.WrikeAPIApps(ctx)
	if err != nil || len(apps) != 1 || apps[0].TokenHash[0] != 2 {
		t.Fatalf("apps = %+v, %v", apps, err)
	}
	in := WrikeSCIMIntegration{Provider: "okta", Enabled: true, DefaultUserType: "External", Updated: now}
	if err := db.PutWrikeSCIMIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Enabled = false
	if err := db.PutWrikeSCIMIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	ins, err := db.WrikeSCIMIntegrations(ctx)
	if err != nil || len(ins) != 1 || ins[0].Enabled || ins[0].DefaultUserType != "External" {
		t.Fatalf("integrations = %+v, %v", ins, err)
	}
}

func TestCreateWrikeUsersAllOrNone(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(id, name string) *WrikeUser {
		return &WrikeUser{ID: id, UserNameLower: name, Emails: []string{name}, Active: true, UserType: "Regular",
			IdentityProvider: "okta", Version: 1, Created: now, Modified: now, Resource: []byte(`{"a":{}}`)}
	}
	// The third user repeats the first one's userName: nothing is stored.
	bad := []*WrikeUser{mk("u1", "a@example.com"), mk("u2", "b@example.com"), mk("u3", "a@example.com")}
	if err := db.CreateWrikeUsers(ctx, bad); !errors.Is(err, ErrConflict) {
		t.Fatalf("repeated userName: %v, want ErrConflict", err)
	}
	count := func() (n int) {
		if err := db.WrikeUsers(ctx, func(WrikeUser) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d users stored from a refused batch", n)
	}
	good := []*WrikeUser{mk("u1", "a@example.com"), mk("u2", "b@example.com"), mk("u3", "c@example.com")}
	if err := db.CreateWrikeUsers(ctx, good); err != nil {
		t.Fatal(err)
	}
	if good[0].Seq == 0 || good[1].Seq <= good[0].Seq || good[2].Seq <= good[1].Seq {
		t.Fatalf("seqs %d %d %d, want increasing in order", good[0].Seq, good[1].Seq, good[2].Seq)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d users stored, want 3", n)
	}
}
