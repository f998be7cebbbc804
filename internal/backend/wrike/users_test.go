package wrike

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

func TestPackDocRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],"id":"X","meta":{}}`,
		// A URN inside a value, a longer name that only starts like a URN, and an escaped control byte.
		`{"title":"urn:ietf:params:scim:schemas:core:2.0:User","x":"urn:ietf:params:scim:schemas:core:2.0:UserX","y":"\u0001","z":"urn:ietf:params:scim:schemas:core:2.0:User:userName","m":{}}`,
		`{"a":"urn:ietf:params:scim:schemas:","b":{}}`,
		`{}`,
		`{"schemas":[`,
		`{"emails":[{"primary":true,"type":"work","value":"a@b.c"},{"type":"home","value":"x"}],"meta":{"resourceType":"User","created":"t","lastModified":"t","version":"W/\"3\""}}`,
	} {
		packed := packDoc([]byte(doc))
		if got := appendUnpacked(nil, packed); !bytes.Equal(got, []byte(doc)) {
			t.Errorf("round trip:\n got %s\nwant %s", got, doc)
		}
		if len(packed) > len(doc) {
			t.Errorf("packed %d bytes from %d", len(packed), len(doc))
		}
	}
	full := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x"}`
	if p := packDoc([]byte(full)); string(p) != "\x04\x01\x05x\"}" {
		t.Errorf("packed = %q", p)
	}
}

// TestUserIndexChurn checks the index against a plain model through
// creates, many updates (enough to compact the arena), renames, shared
// externalIds and emails, and deletes; views taken earlier must not change.
func TestUserIndexChurn(t *testing.T) {
	x := newUserIndex()
	model := map[string]*user{} // by id
	const users, rounds = 3000, 12
	mk := func(i, round int) *user {
		name := fmt.Sprintf("u%d-r%d@example.com", i, round%3)
		u := &user{seq: int64(i + 1), id: fmt.Sprintf("ID%05d", i), userNameLower: name, externalID: fmt.Sprintf("ext-%d", i%7),
			emails: []string{name, fmt.Sprintf("shared%d@example.com", i%5)}, active: (i+round)%2 == 0,
			userType: userTypes[i%3], provider: "okta", version: int64(round + 1),
			created: time.Unix(int64(i), 5).UTC(), modified: time.Unix(int64(i+round), 7).UTC()}
		u.doc = packDoc(fmt.Appendf(nil, `{"id":%q,"pad":%q}`, u.id, strings.Repeat("x", 1000+round)))
		if i%11 == 0 {
			u.externalID = "" // some have none
		}
		return u
	}
	var kept []*user
	var keptJSON []string
	for round := range rounds {
		for i := range users {
			u := mk(i, round)
			x.put(u)
			model[u.id] = u
			if i%500 == 0 {
				v := x.get(u.id)
				kept, keptJSON = append(kept, v), append(keptJSON, string(v.appendJSON(nil, "http://h"))+v.userNameLower+strings.Join(v.emails, ","))
			}
		}
		x.put(mk(7, 0)) // stale: an older version is ignored
	}
	for i := 0; i < users; i += 13 {
		id := fmt.Sprintf("ID%05d", i)
		x.remove(id)
		delete(model, id)
	}
	x.remove("no such id")
	if x.arena.free*3 > x.arena.size && x.arena.free > arenaChunk {
		t.Fatalf("arena not compacted: %d of %d bytes free", x.arena.free, x.arena.size)
	}
	for i, v := range kept {
		if got := string(v.appendJSON(nil, "http://h")) + v.userNameLower + strings.Join(v.emails, ","); got != keptJSON[i] {
			t.Fatalf("a view changed after the index moved on:\n got %.200s\nwant %.200s", got, keptJSON[i])
		}
	}

	same := func(got, want *user) bool {
		return got != nil && got.id == want.id && got.seq == want.seq && got.userNameLower == want.userNameLower &&
			got.externalID == want.externalID && slices.Equal(got.emails, want.emails) && got.active == want.active &&
			got.userType == want.userType && got.provider == want.provider && got.version == want.version &&
			got.created.Equal(want.created) && got.modified.Equal(want.modified) && bytes.Equal(got.doc, want.doc)
	}
	byExt, byEmail := map[string][]string{}, map[string][]string{}
	ids := slices.Sorted(maps.Keys(model))
	activeWant := 0
	for _, id := range ids {
		u := model[id]
		if !same(x.get(id), u) || !same(x.byName(u.userNameLower), u) {
			t.Fatalf("user %s: get %+v, byName %+v, want %+v", id, x.get(id), x.byName(u.userNameLower), u)
		}
		if u.externalID != "" {
			byExt[u.externalID] = append(byExt[u.externalID], id)
		}
		for _, e := range u.emails {
			byEmail[e] = append(byEmail[e], id)
		}
		if u.active {
			activeWant++
		}
	}
	idsOf := func(us []*user) []string {
		var out []string
		for i, u := range us {
			if i > 0 && us[i-1].seq >= u.seq {
				t.Fatalf("not in creation order: %d then %d", us[i-1].seq, u.seq)
			}
			out = append(out, u.id)
		}
		return out
	}
	for ext, want := range byExt {
		if got := idsOf(x.withExternalID(ext)); !slices.Equal(got, want) {
			t.Fatalf("externalId %s: %d users, want %d", ext, len(got), len(want))
		}
	}
	for e, want := range byEmail {
		if got := idsOf(x.withEmail(e)); !slices.Equal(got, want) {
			t.Fatalf("email %s: %d users, want %d", e, len(got), len(want))
		}
	}
	if x.get(fmt.Sprintf("ID%05d", 13)) != nil || x.byName("u13-r2@example.com") != nil || len(x.withEmail("u0-r0@example.com")) != 0 ||
		len(x.withEmail("u1-r0@example.com")) != 0 || x.byName("u1-r2@example.com") == nil {
		t.Fatal("a deleted user or an old name is still found")
	}
	if got := idsOf(x.all()); !slices.Equal(got, ids) {
		t.Fatalf("all: %d users, want %d", len(got), len(ids))
	}
	if a, i := x.counts(); a != activeWant || a+i != len(ids) {
		t.Fatalf("counts %d active %d inactive, want %d of %d", a, i, activeWant, len(ids))
	}
	p, total := x.page(100, 50)
	if total != len(ids) || !slices.Equal(idsOf(p), ids[100:150]) {
		t.Fatalf("page: total %d, %v", total, idsOf(p))
	}
	var scanned []string
	x.scan(x.get(ids[10]).seq, func(u *user) bool { scanned = append(scanned, u.id); return len(scanned) < 5000 })
	if !slices.Equal(scanned, ids[11:]) {
		t.Fatalf("scan after the 11th user: %d users, want %d", len(scanned), len(ids)-11)
	}
}

// The store holds documents packed and without meta; one stored as JSON with
// meta by an earlier version loads the same, and both answer the same JSON.
func TestUserFromStorePackedOrJSON(t *testing.T) {
	doc := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"X","userName":"a@b.c",` +
		`"meta":{"resourceType":"User","created":"2026-01-02T03:04:05.678Z","lastModified":"2026-02-03T04:05:06.000Z","version":"W/\"12\""}}`
	created, _ := time.Parse(metaTime, "2026-01-02T03:04:05.678Z")
	modified, _ := time.Parse(metaTime, "2026-02-03T04:05:06.000Z")
	rec := store.WrikeUser{Seq: 1, ID: "X", UserNameLower: "a@b.c", Version: 12, Created: created, Modified: modified}
	rec.Resource = []byte(doc)
	fromJSON, err := userFromStore(rec)
	if err != nil {
		t.Fatal(err)
	}
	rec.Resource = fromJSON.toStore().Resource
	if bytes.Contains(rec.Resource, []byte("meta")) || bytes.Contains(rec.Resource, []byte("urn:")) {
		t.Fatalf("stored form %q: not packed, or with meta", rec.Resource)
	}
	fromPacked, err := userFromStore(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(doc, "}}") + `,"location":"http://h/scim/okta/v2/Users/X"}}`
	for _, u := range []*user{fromJSON, fromPacked} {
		got := string(u.appendJSON(nil, "http://h/scim/okta/v2"))
		if got != want || u.jsonSize("http://h/scim/okta/v2") < len(want) {
			t.Fatalf("JSON (size hint %d)\n got %s\nwant %s", u.jsonSize("http://h/scim/okta/v2"), got, want)
		}
	}
	rec.Resource = []byte(`{"id":"X"`)
	if _, err := userFromStore(rec); err == nil {
		t.Fatal("a truncated document loaded")
	}
}
