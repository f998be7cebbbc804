package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestWrikeUsersRoundTripAndConstraints(t *testing.T) {
	db := openTest(t)
	s := NewWrikeStore(db)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := WrikeUser{ID: "u1", UserNameLower: "ann@example.com", ExternalID: "ext-1", Emails: []string{"ann@example.com", "a@example.com"},
		Active: true, UserType: "Regular", IdentityProvider: "okta", Version: 1, Created: now, Modified: now, Resource: []byte(`{"a":{}}`)}
	if err := s.CreateWrikeUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if u.Seq == 0 {
		t.Fatal("seq not assigned")
	}
	dup := u
	dup.ID = "u2"
	if err := s.CreateWrikeUser(ctx, &dup); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate userName: %v, want ErrConflict", err)
	}
	v2 := u
	v2.Version, v2.Active, v2.Emails = 2, false, []string{"ann@example.com"}
	if err := s.UpdateWrikeUser(ctx, v2, 5); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("stale version: %v, want ErrPrecondition", err)
	}
	if err := s.UpdateWrikeUser(ctx, v2, 1); err != nil {
		t.Fatal(err)
	}
	v2.ID = "missing"
	if err := s.UpdateWrikeUser(ctx, v2, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	other := WrikeUser{ID: "u3", UserNameLower: "bob@example.com", Active: true, UserType: "External", IdentityProvider: "azure_ad",
		Version: 1, Created: now, Modified: now, Resource: []byte(`{"b":{}}`), Emails: []string{"bob@example.com"}}
	if err := s.CreateWrikeUser(ctx, &other); err != nil {
		t.Fatal(err)
	}
	var got []WrikeUser
	if err := s.WrikeUsers(ctx, 0, math.MaxInt64, func(w WrikeUser) error { got = append(got, w); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "u1" || got[0].Active || got[0].Version != 2 || len(got[0].Emails) != 1 ||
		got[1].ID != "u3" || got[1].Emails[0] != "bob@example.com" || got[0].ExternalID != "ext-1" || !got[0].Created.Equal(now) {
		t.Fatalf("loaded = %+v", got)
	}
	if err := s.DeleteWrikeUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWrikeUser(ctx, "u1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM wrike_user_emails`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("emails left = %d (%v); a deleted user's emails must go with it", n, err)
	}
}

func TestWrikeAdminRecords(t *testing.T) {
	db := openTest(t)
	s := NewWrikeStore(db)
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.CreateWrikeApprovedDomain(ctx, WrikeApprovedDomain{ID: "d1", Domain: "example.com", Created: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWrikeApprovedDomain(ctx, WrikeApprovedDomain{ID: "d2", Domain: "example.com", Created: now}); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate domain: %v", err)
	}
	if err := s.DeleteWrikeApprovedDomain(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	app := WrikeAPIApp{ID: "a1", Name: "n", TokenHash: []byte{1}, Created: now, TokenCreated: now}
	if err := s.CreateWrikeAPIApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	app.TokenHash = []byte{2}
	if err := s.UpdateWrikeAPIApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	apps, err := s.WrikeAPIApps(ctx)
	if err != nil || len(apps) != 1 || apps[0].TokenHash[0] != 2 {
		t.Fatalf("apps = %+v, %v", apps, err)
	}
	in := WrikeSCIMIntegration{Provider: "okta", Enabled: true, DefaultUserType: "External", Updated: now}
	if err := s.PutWrikeSCIMIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Enabled = false
	if err := s.PutWrikeSCIMIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	ins, err := s.WrikeSCIMIntegrations(ctx)
	if err != nil || len(ins) != 1 || ins[0].Enabled || ins[0].DefaultUserType != "External" {
		t.Fatalf("integrations = %+v, %v", ins, err)
	}
}

func TestCreateWrikeUsersAllOrNone(t *testing.T) {
	db := openTest(t)
	s := NewWrikeStore(db)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(id, name string) *WrikeUser {
		return &WrikeUser{ID: id, UserNameLower: name, Emails: []string{name}, Active: true, UserType: "Regular",
			IdentityProvider: "okta", Version: 1, Created: now, Modified: now, Resource: []byte(`{"a":{}}`)}
	}
	// The third user repeats the first one's userName: nothing is stored.
	bad := []*WrikeUser{mk("u1", "a@example.com"), mk("u2", "b@example.com"), mk("u3", "a@example.com")}
	if err := s.CreateWrikeUsers(ctx, bad); !errors.Is(err, ErrConflict) {
		t.Fatalf("repeated userName: %v, want ErrConflict", err)
	}
	count := func() (n int) {
		if err := s.WrikeUsers(ctx, 0, math.MaxInt64, func(WrikeUser) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d users stored from a refused batch", n)
	}
	good := []*WrikeUser{mk("u1", "a@example.com"), mk("u2", "b@example.com"), mk("u3", "c@example.com")}
	if err := s.CreateWrikeUsers(ctx, good); err != nil {
		t.Fatal(err)
	}
	if good[0].Seq == 0 || good[1].Seq <= good[0].Seq || good[2].Seq <= good[1].Seq {
		t.Fatalf("seqs %d %d %d, want increasing in order", good[0].Seq, good[1].Seq, good[2].Seq)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d users stored, want 3", n)
	}
}

// The Wrike face loads its users in seq ranges read side by side: each range
// must hold exactly its users, each with its own emails and no neighbour's.
func TestWrikeUsersBySeqRange(t *testing.T) {
	db := openTest(t)
	s := NewWrikeStore(db)
	ctx := context.Background()
	if first, last, err := s.WrikeUserSeqs(ctx); err != nil || first != 0 || last != 0 {
		t.Fatalf("empty store: seqs %d..%d, %v; want 0..0", first, last, err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var users []*WrikeUser
	for i := range 6 {
		name := fmt.Sprintf("u%d@example.com", i)
		users = append(users, &WrikeUser{ID: fmt.Sprint("u", i), UserNameLower: name, Emails: []string{name, fmt.Sprintf("alt%d@example.com", i)},
			Active: true, UserType: "Regular", IdentityProvider: "okta", Version: 1, Created: now, Modified: now, Resource: []byte(`{"a":{}}`)})
	}
	if err := s.CreateWrikeUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWrikeUser(ctx, "u0"); err != nil {
		t.Fatal(err)
	}
	first, last, err := s.WrikeUserSeqs(ctx)
	if err != nil || first != users[1].Seq || last != users[5].Seq {
		t.Fatalf("seqs %d..%d, %v; want %d..%d", first, last, err, users[1].Seq, users[5].Seq)
	}
	read := func(from, to int64) (ids []string) {
		if err := s.WrikeUsers(ctx, from, to, func(u WrikeUser) error {
			want := []string{"alt" + u.ID[1:] + "@example.com", u.UserNameLower}
			if slices.Sort(u.Emails); !slices.Equal(u.Emails, want) {
				t.Errorf("user %s: emails %q, want %q", u.ID, u.Emails, want)
			}
			ids = append(ids, u.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	mid := users[3].Seq
	if a, b := read(first, mid-1), read(mid, last); !slices.Equal(a, []string{"u1", "u2"}) || !slices.Equal(b, []string{"u3", "u4", "u5"}) {
		t.Fatalf("ranges read %q and %q, want [u1 u2] and [u3 u4 u5]", a, b)
	}
}
