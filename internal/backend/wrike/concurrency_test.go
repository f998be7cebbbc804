package wrike_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestSCIMParallelCreatesOneUserName: 100 requests create the same
// userName at once (in mixed letter case and both forms of an
// internationalised domain, as two identity providers or a retrying one
// would): exactly one 201, every other a 409 uniqueness, and one user
// stored.
func TestSCIMParallelCreatesOneUserName(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "bücher.example")
	spellings := []string{"race.user@bücher.example", "Race.User@Bücher.Example",
		"race.user@xn--bcher-kva.example", "RACE.USER@XN--BCHER-KVA.EXAMPLE"}
	const n = 100
	answers := make([]backendtest.Answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := spellings[i%len(spellings)]
			<-start
			answers[i] = scimSend(parallelClient, sc, "POST", "/Users", oktaUser(login, "Race", "User"))
		}()
	}
	close(start)
	wg.Wait()
	created, conflicts := 0, 0
	for i, a := range answers {
		switch {
		case a.Status == http.StatusCreated:
			created++
		case a.Status == http.StatusConflict && a.IsSCIMError() && a.Body["scimType"] == "uniqueness":
			conflicts++
		default:
			t.Errorf("request %d: %d %s", i, a.Status, a.Raw)
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("%d created and %d conflicts, want 1 and %d", created, conflicts, n-1)
	}
	list := scimDo(t, sc, "GET", filterQuery(`userName eq "RACE.USER@bücher.example"`), "")
	if got := list.Want(t, 200)["totalResults"]; fmt.Sprint(got) != "1" {
		t.Fatalf("totalResults = %v after the race, want 1", got)
	}
	if rows, err := openSnapshot(t, env).Rows(context.Background(), "wrike_users"); err != nil || len(rows) != 1 {
		t.Fatalf("stored users after the race: %d rows, %v", len(rows), err)
	}
}

// TestSCIMParallelPatchIfMatch: workers increment a counter held in the
// user's title by read (GET, ETag) then PATCH with If-Match, retrying on
// 412. No update is lost: the final counter equals the number of PATCHes
// answered 200, and every 200 carries a new version. (TestSCIMETags shows
// that a stale ETag changes nothing.)
func TestSCIMParallelPatchIfMatch(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	user := "/Users/" + createUser(t, sc, oktaUser("counter@example.com", "Coun", "Ter"))["id"].(string)
	scimDo(t, sc, "PATCH", user, patchOps(`{"op":"replace","path":"title","value":"0"}`)).Want(t, 200)

	const workers, increments = 16, 8
	var mu sync.Mutex
	var ok, stale int
	versions := map[string]bool{}
	var wg sync.WaitGroup
	// Room for every possible complaint: a full channel would block a
	// worker while it holds mu.
	errs := make(chan string, workers*(increments+2))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done, tries := 0, 0; done < increments; tries++ {
				if tries > 400 {
					errs <- fmt.Sprintf("worker %d: no progress after %d tries", w, tries)
					return
				}
				cur := scimSend(parallelClient, sc, "GET", user, "")
				n, err := strconv.Atoi(fmt.Sprint(cur.Body["title"]))
				etag := cur.Header.Get("ETag")
				if cur.Status != 200 || err != nil || etag == "" {
					errs <- fmt.Sprintf("worker %d: GET %d %s", w, cur.Status, cur.Raw)
					return
				}
				body := patchOps(fmt.Sprintf(`{"op":"replace","path":"title","value":"%d"}`, n+1))
				a := scimSend(parallelClient, sc, "PATCH", user, body, "If-Match", etag)
				mu.Lock()
				switch {
				case a.Status == 200:
					ok++
					done++
					v := a.Header.Get("ETag")
					if versions[v] {
						errs <- fmt.Sprintf("worker %d: version %s answered twice", w, v)
					}
					versions[v] = true
				case a.Status == http.StatusPreconditionFailed && a.IsSCIMError():
					stale++
				default:
					errs <- fmt.Sprintf("worker %d: PATCH %d %s", w, a.Status, a.Raw)
					mu.Unlock()
					return
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	final := scimDo(t, sc, "GET", user, "").Want(t, 200)
	if fmt.Sprint(final["title"]) != strconv.Itoa(ok) || ok != workers*increments {
		t.Fatalf("counter = %v after %d successful PATCHes (%d workers x %d): an update was lost", final["title"], ok, workers, increments)
	}
	t.Logf("%d PATCHes answered 200, %d answered 412 (stale ETag), counter %v", ok, stale, final["title"])
}

// TestSCIMParallelPatchesDistinctAttributes: workers PATCH different
// attributes of one user at once without If-Match (as Okta and Entra do);
// every PATCH is answered 200 and makes exactly one new version, and every
// worker's last value is there at the end, so no write overwrote another's
// with an older copy of the user.
func TestSCIMParallelPatchesDistinctAttributes(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	user := "/Users/" + createUser(t, sc, oktaUser("many.writers@example.com", "Ma", "Ny"))["id"].(string)
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
	paths := []string{"title", "nickName", "displayName", "locale", "timezone", "preferredLanguage", "profileUrl",
		"name.middleName", "name.honorificPrefix", ent + "department", ent + "organization", ent + "costCenter",
		ent + "division", ent + "employeeNumber"}
	const rounds = 6
	var wg sync.WaitGroup
	errs := make(chan string, len(paths)*rounds)
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				v := fmt.Sprintf("w%d-r%d", i, r)
				if p == "profileUrl" {
					v = "https://example.com/" + v
				}
				body := patchOps(fmt.Sprintf(`{"op":"Replace","path":%q,"value":%q}`, p, v))
				if a := scimSend(parallelClient, sc, "PATCH", user, body); a.Status != 200 {
					errs <- fmt.Sprintf("PATCH %s: %d %s", p, a.Status, a.Raw)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	final := scimDo(t, sc, "GET", user, "").Want(t, 200)
	if v, want := get(final, "meta/version"), fmt.Sprintf(`W/"%d"`, 1+len(paths)*rounds); v != want {
		t.Errorf("version %v after %d PATCHes, each a change, of version 1: want %s", v, len(paths)*rounds, want)
	}
	for i, p := range paths {
		want := fmt.Sprintf("w%d-r%d", i, rounds-1)
		var got any
		switch {
		case strings.HasPrefix(p, ent):
			e, _ := final["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
			got = e[strings.TrimPrefix(p, ent)]
		case strings.HasPrefix(p, "name."):
			n, _ := final["name"].(map[string]any)
			got = n[strings.TrimPrefix(p, "name.")]
		default:
			got = final[p]
		}
		if !strings.HasSuffix(fmt.Sprint(got), want) {
			t.Errorf("%s = %v, want its last write %s: an update was lost", p, got, want)
		}
	}
	rows, err := openSnapshot(t, env).Rows(context.Background(), "wrike_users")
	if err != nil || len(rows) != 1 {
		t.Fatalf("stored users: %d rows, %v", len(rows), err)
	}
	if !strings.Contains(rows[0], fmt.Sprintf("w%d-r%d", len(paths)-1, rounds-1)) {
		t.Fatalf("the stored user lacks the last write: %s", rows[0])
	}
}
