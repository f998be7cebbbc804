package okta_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestHardeningOktaSSWSAuth: the Okta face accepts only its own SSWS
// tokens: no token, another scheme, the Wrike admin or v4 token, or a
// truncated or extended Okta token are 401 E0000011 on every route; the
// Okta token is refused by both Wrike APIs; the database holds only its
// SHA-256.
func TestHardeningOktaSSWSAuth(t *testing.T) {
	o := newConnectedOrg(t)
	tok := o.env.OktaAPIToken
	snap, err := reliabilitytest.OpenSnapshotter(o.env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snap.Close() }()
	before, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/users"}, {"POST", "/api/v1/users?activate=true"}, {"GET", "/api/v1/groups"},
		{"POST", "/api/v1/groups"}, {"GET", "/api/v1/apps"}, {"GET", "/api/v1/apps/" + o.appID + "/connections/default"},
		{"POST", "/api/v1/apps/" + o.appID + "/connections/default?activate=false"},
		{"PUT", "/api/v1/apps/" + o.appID + "/features/USER_PROVISIONING"}, {"GET", "/api/v1/apps/" + o.appID + "/users"},
		{"POST", "/api/v1/apps/" + o.appID + "/connections/default/lifecycle/deactivate"},
		{"GET", "/api/v1/logs"}, {"GET", "/api/v1/_backend/provisioning/wait?timeout=1ms"}, {"GET", "/api/v1/nothing"},
		{"GET", "/api/v1/api-tokens"}, {"DELETE", "/api/v1/api-tokens/current"},
	}
	creds := map[string]string{
		"no token":             "",
		"Bearer scheme":        "Bearer " + tok,
		"Wrike admin token":    "SSWS " + o.env.WrikeAdminToken,
		"Wrike v4 token":       "SSWS " + o.scim.Token,
		"truncated":            "SSWS " + tok[:len(tok)-1],
		"extended":             "SSWS " + tok + "0",
		"token hash":           "SSWS " + hashHex(tok),
		"scheme without token": "SSWS ",
	}
	for _, r := range routes {
		for name, auth := range creds {
			a := request(r.method, o.env.OktaURL+r.path, auth, map[string]any{"profile": map[string]string{"name": "x"}})
			if a.status != 401 || !strings.Contains(a.raw, `"E0000011"`) {
				t.Errorf("%s %s with %s: %d %s, want 401 E0000011", r.method, r.path, name, a.status, a.raw)
			}
			for _, s := range []string{tok, o.env.WrikeAdminToken, o.scim.Token} {
				if strings.Contains(a.raw, s) {
					t.Errorf("%s %s with %s: the answer repeats a token", r.method, r.path, name)
				}
			}
		}
	}
	if a := request("GET", o.env.WrikeURL+"/api/v4/account", "Bearer "+tok, nil); a.status != 401 {
		t.Errorf("Okta token on the Wrike admin API: %d", a.status)
	}
	if a := request("GET", o.scim.BaseURL+"/Users", "Bearer "+tok, nil); a.status != 401 {
		t.Errorf("Okta token on Wrike SCIM: %d", a.status)
	}
	after, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The refused requests change nothing but the rate limiter's memory.
	if before != after {
		t.Fatalf("refused requests changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	values, err := snap.RawStrings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(values, "\n")
	if strings.Contains(all, tok) || strings.Contains(all, tok[2:]) {
		t.Fatal("the Okta API token is in the database in clear")
	}
	if !strings.Contains(all, hashHex(tok)) {
		t.Fatal("the Okta token's SHA-256 is not in the database: the check read the wrong data")
	}
	// The connection's SCIM token must be read back to push users, so it
	// is sealed rather than hashed; the database alone must not reveal it.
	if strings.Contains(all, o.scim.Token) {
		t.Fatal("the connection's SCIM token is in the database in clear")
	}
	if !strings.Contains(all, "v1:") {
		t.Fatal("no sealed connection token in the database: the check read the wrong data")
	}
}

// TestHardeningOktaRevokedTokenRefusedAtOnce: an Okta API token revoked by
// id, or by itself through /api-tokens/current, is refused on the very next
// request (read and write) and after a restart; other tokens keep working;
// the metadata never shows a token; each revocation is in the System Log.
func TestHardeningOktaRevokedTokenRefusedAtOnce(t *testing.T) {
	o := newConnectedOrg(t)
	ctx := context.Background()
	values := map[string]string{}
	for _, name := range []string{"ci-a", "ci-b", "ci-c"} {
		tok, err := o.env.Backend.Okta.CreateAPIToken(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		values[name] = tok
	}
	var tokens []struct{ ID, Name string }
	o.call(200, "GET", "/api/v1/api-tokens", nil, &tokens)
	ids := map[string]string{}
	for _, tk := range tokens {
		ids[tk.Name] = tk.ID
	}
	if len(tokens) != 4 || ids["ci-a"] == "" || ids["ci-b"] == "" || ids["ci-c"] == "" {
		t.Fatalf("token list: %+v", tokens)
	}
	var first, rest []struct{ ID string }
	o.call(200, "GET", "/api/v1/api-tokens?limit=3", nil, &first)
	o.call(200, "GET", "/api/v1/api-tokens?limit=3&after="+first[len(first)-1].ID, nil, &rest)
	if len(first) != 3 || len(rest) != 1 || rest[0].ID != tokens[3].ID {
		t.Fatalf("pages of 3: %+v then %+v, want the 4 tokens in order", first, rest)
	}
	var one struct{ ID, Name, ClientName string }
	o.call(200, "GET", "/api/v1/api-tokens/"+ids["ci-a"], nil, &one)
	if one.Name != "ci-a" || one.ClientName != "Okta API" {
		t.Fatalf("token metadata: %+v", one)
	}
	refused := func(name string) {
		t.Helper()
		for _, r := range []struct{ method, path string }{{"GET", "/api/v1/users"}, {"POST", "/api/v1/groups"}, {"GET", "/api/v1/api-tokens"}} {
			a := request(r.method, o.env.OktaURL+r.path, "SSWS "+values[name], map[string]any{"profile": map[string]string{"name": "after-revoke"}})
			if a.status != 401 || !strings.Contains(a.raw, `"E0000011"`) {
				t.Fatalf("%s %s with revoked token %s: %d %s, want 401 E0000011", r.method, r.path, name, a.status, a.raw)
			}
		}
	}
	works := func(name string) {
		t.Helper()
		if a := request("GET", o.env.OktaURL+"/api/v1/users", "SSWS "+values[name], nil); a.status != 200 {
			t.Fatalf("token %s: %d %s", name, a.status, a.raw)
		}
	}
	works("ci-a")
	works("ci-b")

	// Revoked by id with another token.
	o.call(204, "DELETE", "/api/v1/api-tokens/"+ids["ci-a"], nil, nil)
	refused("ci-a")
	// A token revokes itself.
	if a := request("DELETE", o.env.OktaURL+"/api/v1/api-tokens/current", "SSWS "+values["ci-b"], nil); a.status != 204 {
		t.Fatalf("revoke current: %d %s", a.status, a.raw)
	}
	refused("ci-b")
	works("ci-c")
	o.call(200, "GET", "/api/v1/users", nil, nil)
	for _, id := range []string{ids["ci-a"], "00Tnothing"} {
		if a := request("DELETE", o.env.OktaURL+"/api/v1/api-tokens/"+id, "SSWS "+o.env.OktaAPIToken, nil); a.status != 404 || !strings.Contains(a.raw, `"E0000007"`) {
			t.Fatalf("revoke %s again: %d %s, want 404 E0000007", id, a.status, a.raw)
		}
	}
	var listed []json.RawMessage
	o.call(200, "GET", "/api/v1/api-tokens", nil, &listed)
	if len(listed) != 2 {
		t.Fatalf("after two revocations %d tokens are listed", len(listed))
	}
	for name, v := range values {
		for _, l := range listed {
			if strings.Contains(string(l), v) {
				t.Fatalf("the token list shows the value of %s", name)
			}
		}
	}
	var events []struct {
		Actor  struct{ ID string }
		Target []struct{ ID, Type, AlternateID string }
	}
	o.call(200, "GET", "/api/v1/logs?filter="+url.QueryEscape(`eventType eq "system.api_token.revoke"`), nil, &events)
	if len(events) != 2 || events[0].Target[0].AlternateID != "ci-a" || events[1].Target[0].AlternateID != "ci-b" ||
		events[1].Actor.ID != ids["ci-b"] {
		t.Fatalf("System Log revocations: %+v", events)
	}

	o.env.Restart(t)
	refused("ci-a")
	refused("ci-b")
	works("ci-c")
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestHardeningEngineConvergesUnderConcurrentChanges: eight clients change
// group memberships, direct assignments, group assignments and profiles at
// once (each owning its users, so the intended end state is known), while
// the engine pushes. When the queue is idle, Wrike holds exactly the users
// that were ever assigned, active exactly when assigned now, each with its
// last profile, and no task failed.
func TestHardeningEngineConvergesUnderConcurrentChanges(t *testing.T) {
	o := newConnectedOrg(t)
	g1, g2 := o.group("Engineering"), o.group("Sales")
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g1, map[string]any{}, nil)
	const clients, perClient, ops = 8, 5, 30
	type want struct {
		login        string
		inG1, inG2   bool
		direct       bool
		everAssigned bool
		title        string
	}
	states := make([][]*want, clients)
	ids := make([][]string, clients)
	for c := range clients {
		for u := range perClient {
			login := fmt.Sprintf("c%d-u%d@acme.example.com", c, u)
			ids[c] = append(ids[c], o.user(withTitle(person(login), "t0")))
			states[c] = append(states[c], &want{login: login, title: "t0"})
		}
	}
	// Clients change only their own users, under a read lock; the Sales
	// group's assignment changes under the write lock, so every recorded
	// state is one the org really passed through.
	var g2Assigned bool
	var g2Mu sync.RWMutex
	var wg sync.WaitGroup
	errs := make(chan string, clients*ops+ops)
	call := func(want int, method, path string, body any) {
		if a := request(method, o.env.OktaURL+path, "SSWS "+o.env.OktaAPIToken, body); a.status != want {
			errs <- fmt.Sprintf("%s %s: %d %s", method, path, a.status, a.raw)
		}
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for i := range ops {
				u := rng.IntN(perClient)
				s, id := states[c][u], ids[c][u]
				g2Mu.RLock()
				switch rng.IntN(5) {
				case 0:
					s.inG1 = !s.inG1
					if s.inG1 {
						call(204, "PUT", "/api/v1/groups/"+g1+"/users/"+id, nil)
					} else {
						call(204, "DELETE", "/api/v1/groups/"+g1+"/users/"+id, nil)
					}
				case 1:
					s.inG2 = !s.inG2
					if s.inG2 {
						call(204, "PUT", "/api/v1/groups/"+g2+"/users/"+id, nil)
					} else {
						call(204, "DELETE", "/api/v1/groups/"+g2+"/users/"+id, nil)
					}
				case 2:
					s.direct = !s.direct
					if s.direct {
						call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": id, "scope": "USER"})
					} else {
						call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+id, nil)
					}
				default:
					s.title = fmt.Sprintf("t%d", i+1)
					call(200, "POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]string{"title": s.title}})
				}
				if s.inG1 || s.direct || (s.inG2 && g2Assigned) {
					s.everAssigned = true
				}
				g2Mu.RUnlock()
			}
		}()
	}
	// One more client assigns and unassigns the Sales group to the app.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 12 {
			g2Mu.Lock()
			g2Assigned = i%2 == 0
			if g2Assigned {
				call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g2, map[string]any{})
			} else {
				call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+g2, nil)
			}
			for c := range clients {
				for _, s := range states[c] {
					if s.inG2 && g2Assigned {
						s.everAssigned = true
					}
				}
			}
			g2Mu.Unlock()
			time.Sleep(15 * time.Millisecond)
		}
	}()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	var counts struct{ Pending, Failed int }
	o.call(200, "GET", "/api/v1/_backend/provisioning/wait?timeout=60s", nil, &counts)
	if counts.Pending != 0 || counts.Failed != 0 {
		t.Fatalf("queue after the changes: %d pending, %d failed", counts.Pending, counts.Failed)
	}
	var users struct {
		Data []struct {
			UserName, Title string
			Active          bool
		} `json:"data"`
	}
	o.env.Admin(t, "GET", "/users", nil, &users)
	inWrike := map[string]int{}
	for _, u := range users.Data {
		inWrike[u.UserName]++
	}
	assignedNow, checked := 0, 0
	for c := range clients {
		for _, s := range states[c] {
			assigned := s.inG1 || s.direct || (s.inG2 && g2Assigned)
			var got *struct {
				UserName, Title string
				Active          bool
			}
			for i := range users.Data {
				if users.Data[i].UserName == s.login {
					got = &users.Data[i]
				}
			}
			switch {
			case inWrike[s.login] > 1:
				t.Errorf("%s is in Wrike %d times", s.login, inWrike[s.login])
			case assigned && (got == nil || !got.Active || got.Title != s.title):
				t.Errorf("%s is assigned with title %s; Wrike has %+v", s.login, s.title, got)
			case !assigned && got != nil && got.Active:
				t.Errorf("%s is unassigned but active in Wrike", s.login)
			case !s.everAssigned && got != nil:
				t.Errorf("%s was never assigned but is in Wrike", s.login)
			}
			if assigned {
				assignedNow++
			}
			checked++
		}
	}
	t.Logf("%d users checked, %d assigned at the end, %d in Wrike", checked, assignedNow, len(users.Data))
}
