package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// benchUsers is the number of Wrike users the page benchmarks run with;
// CONSOLE_BENCH_USERS overrides it for a quicker run.
func benchUsers(b *testing.B) int {
	if v := os.Getenv("CONSOLE_BENCH_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("CONSOLE_BENCH_USERS=%q: want a number ≥ 100", v)
		}
		return n
	}
	return 100_000
}

// BenchmarkConsoleUsersPage renders the Wrike console's users page (the one
// that grows with the account) in-process, signed in, with benchUsers users:
// a tenth in another domain, a tenth External, a tenth deactivated.
func BenchmarkConsoleUsersPage(b *testing.B) {
	n := benchUsers(b)
	env := backendtest.Start(b)
	sc := env.SetupSCIM(b, "okta", "load.example.com", "other.example.com")
	h := env.Backend.WrikeHandler()
	scimBase := strings.TrimPrefix(sc.BaseURL, env.WrikeURL)
	seedInParallel(n, func(i int) {
		domain, userType := "load.example.com", "Regular"
		if i%10 == 3 {
			domain = "other.example.com"
		}
		if i%10 == 5 {
			userType = "External"
		}
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],`+
			`"userName":"user%06d@%s","externalId":"ext-%d","name":{"givenName":"Given%d","familyName":"Family%d"},"title":"Engineer",`+
			`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"R&D"},`+
			`"urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":%q},"active":%t}`, i, domain, i, i, i, userType, i%10 != 7)
		serve(h, http.MethodPost, scimBase+"/Users", "Bearer "+sc.Token, "application/scim+json", body, http.StatusCreated)
	})

	cookie := signInHandler(b, h, env.WrikeAdminToken)
	for _, bc := range []struct{ name, query string }{
		{"first", ""},
		{"last", "nextPageToken=" + strconv.Itoa(n-50)},
		{"domain", "domain=other.example.com&nextPageToken=" + strconv.Itoa(n/10-50)},
		{"filters", "domain=load.example.com&userType=External&active=false"},
	} {
		b.Run(bc.name, func(b *testing.B) { benchPage(b, h, cookie, "/console/users?"+bc.query) })
	}
}

// seedInParallel runs create(i) for i in [0, n) on 16 goroutines.
func seedInParallel(n int, create func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				create(i)
			}
		})
	}
	wg.Wait()
}

// serve answers one in-process request; a status other than want panics
// (seeding runs on several goroutines).
func serve(h http.Handler, method, path, auth, contentType, body string, want int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", auth)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		panic(fmt.Sprintf("%s %s: %d %s", method, path, rec.Code, rec.Body))
	}
	return rec
}

// signInHandler signs in to the console h serves and returns the session cookie.
func signInHandler(b *testing.B, h http.Handler, token string) *http.Cookie {
	b.Helper()
	rec := serve(h, http.MethodPost, "/console/login", "", "application/x-www-form-urlencoded", url.Values{"token": {token}}.Encode(), http.StatusSeeOther)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		b.Fatalf("sign in: cookies %v", cookies)
	}
	return cookies[0]
}

// benchPage renders path for the signed-in session each iteration.
func benchPage(b *testing.B, h http.Handler, cookie *http.Cookie, path string) {
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "</main>") {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// BenchmarkConsoleOktaPages renders the Okta console's pages with
// benchUsers users in the org, all assigned to the Wrike app through
// Everyone (no connection, so nothing is pushed).
func BenchmarkConsoleOktaPages(b *testing.B) {
	n := benchUsers(b)
	env := backendtest.Start(b, backendtest.WithOkta(func(c *okta.Config) { c.RateLimit = 1 << 30 }))
	if _, _, err := env.Backend.Okta.SeedDemo(b.Context()); err != nil {
		b.Fatal(err)
	}
	h := env.Backend.OktaHandler()
	auth := "SSWS " + env.OktaAPIToken
	seedInParallel(n, func(i int) {
		login := fmt.Sprintf("user%06d@load.example.com", i)
		serve(h, http.MethodPost, "/api/v1/users?activate=true", auth, "application/json",
			`{"profile":{"login":"`+login+`","email":"`+login+`","firstName":"Given","lastName":"Family","title":"Engineer"}}`, http.StatusOK)
	})
	var apps []struct{ ID string }
	rec := serve(h, http.MethodGet, "/api/v1/apps?limit=1", auth, "", "", http.StatusOK)
	if err := json.Unmarshal(rec.Body.Bytes(), &apps); err != nil || len(apps) != 1 {
		b.Fatalf("apps: %v %s", err, rec.Body)
	}
	serve(h, http.MethodPut, "/api/v1/apps/"+apps[0].ID+"/groups/"+env.Backend.Okta.EveryoneGroupID(), auth, "application/json",
		`{"profile":{"userType":"Regular"}}`, http.StatusOK)
	cookie := signInHandler(b, h, env.OktaAPIToken)
	for _, path := range []string{"/console/", "/console/assignments", "/console/users", "/console/users?q=user05", "/console/groups", "/console/logs", "/console/tasks"} {
		b.Run(strings.TrimPrefix(path, "/console/"), func(b *testing.B) { benchPage(b, h, cookie, path) })
	}
}
