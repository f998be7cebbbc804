package wrike

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// storedUser is a user as the store holds it: ids and keys vary with i so
// that every table of the index has entries, shared ones included.
func storedUser(i int, now time.Time) *store.WrikeUser {
	name := fmt.Sprintf("user%04d@example.com", i)
	u := &store.WrikeUser{ID: fmt.Sprintf("id%04d", i), UserNameLower: name, Emails: []string{name},
		Active: i%5 != 0, UserType: userTypes[i%3], IdentityProvider: identityProviders[i%2], Version: 1,
		Created: now.Add(time.Duration(i) * time.Second), Modified: now.Add(time.Duration(i) * time.Minute),
		Resource: fmt.Appendf(nil, `{"userName":%q,"n":%d}`, name, i)}
	if i%4 != 0 {
		u.ExternalID = fmt.Sprintf("ext%d", i/2) // pairs of users share one
	}
	if i%3 == 0 {
		u.Emails = append(u.Emails, fmt.Sprintf("alias%04d@example.com", i))
	}
	if i%250 == 0 {
		u.Emails = append(u.Emails, "shared@example.com")
	}
	return u
}

// loadedUsers is everything a reader can get from an index, to compare two.
func loadedUsers(t *testing.T, x *userIndex) map[string]any {
	t.Helper()
	all := x.all()
	got := map[string]any{"all": all}
	for _, u := range all {
		if x.get(u.id) == nil || x.byName(u.userNameLower) == nil {
			t.Fatalf("user %s is listed but not found by id or userName", u.id)
		}
		got["id "+u.id] = x.get(u.id)
		got["name "+u.userNameLower] = x.byName(u.userNameLower)
		if _, ok := got["ext "+u.externalID]; !ok {
			got["ext "+u.externalID] = x.withExternalID(u.externalID)
		}
		for _, e := range u.emails {
			if _, ok := got["email "+e]; !ok {
				got["email "+e] = x.withEmail(e)
			}
		}
	}
	active, inactive := x.counts()
	got["counts"] = [2]int{active, inactive}
	return got
}

// Start-up reads the users in seq ranges side by side and builds each table
// once. Whatever the number of ranges, the index must answer exactly as one
// built user by user, and keep doing so as users are then changed, removed
// and added past the tables' first growth.
func TestLoadInRangesMatchesIndexBuiltByWrites(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ws := store.NewWrikeStore(db)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const users = 3000
	var recs []*store.WrikeUser
	for i := range users {
		recs = append(recs, storedUser(i, now))
	}
	if err := ws.CreateWrikeUsers(ctx, recs); err != nil {
		t.Fatal(err)
	}
	// Holes in the seqs, at the start, inside and at the end of the span.
	for _, i := range []int{0, 1, 17, 1499, 1500, 2998, 2999} {
		if err := ws.DeleteWrikeUser(ctx, recs[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	changed := *recs[42]
	changed.Version, changed.Active, changed.Emails = 2, false, []string{changed.UserNameLower, "moved@example.com"}
	if err := ws.UpdateWrikeUser(ctx, changed, 1); err != nil {
		t.Fatal(err)
	}

	want := newUserIndex()
	if err := ws.WrikeUsers(ctx, 0, users*2, func(u store.WrikeUser) error {
		u.Resource = slices.Clone(u.Resource)
		rec, err := userFromStore(u)
		if err == nil {
			want.put(rec)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(want.order); n != users-7 {
		t.Fatalf("reference index holds %d users, want %d", n, users-7)
	}

	for _, ranges := range []int{1, 2, 3, 4, 7} {
		t.Run(fmt.Sprint(ranges, " ranges"), func(t *testing.T) {
			s := &Server{store: ws, users: newUserIndex()}
			if _, err := s.loadUsers(ctx, ranges); err != nil {
				t.Fatal(err)
			}
			if got, want := loadedUsers(t, s.users), loadedUsers(t, want); !reflect.DeepEqual(got, want) {
				for k, v := range want {
					if !reflect.DeepEqual(got[k], v) {
						t.Fatalf("%s: loaded %+v, want %+v", k, got[k], v)
					}
				}
				t.Fatalf("loaded index has entries the reference lacks")
			}

			// Writes after the load, the same on a copy built by writes.
			after := func(x *userIndex) {
				x.remove(recs[100].ID)
				u := *x.get(recs[200].ID)
				u.version++
				u.emails = []string{u.userNameLower, "shared@example.com"}
				x.put(&u)
				for i := users; i < users+4000; i++ { // past the next growth of every table
					rec, err := userFromStore(*storedUser(i, now))
					if err != nil {
						t.Fatal(err)
					}
					rec.seq = int64(i + 10_000)
					x.put(rec)
				}
			}
			loaded := s.users
			rebuilt := newUserIndex()
			for _, u := range loaded.all() {
				rebuilt.put(u)
			}
			after(loaded)
			after(rebuilt)
			if got, want := loadedUsers(t, loaded), loadedUsers(t, rebuilt); !reflect.DeepEqual(got, want) {
				t.Fatalf("after writes, the loaded index differs from one built by writes")
			}
		})
	}
}
