package console_test

import (
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
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
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
				req := httptest.NewRequest(http.MethodPost, scimBase+"/Users", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+sc.Token)
				req.Header.Set("Content-Type", "application/scim+json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					panic(rec.Body.String())
				}
			}
		}()
	}
	wg.Wait()

	login := httptest.NewRequest(http.MethodPost, "/console/login", strings.NewReader(url.Values{"token": {env.WrikeAdminToken}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, login)
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(cookies) != 1 {
		b.Fatalf("sign in: %d %s", rec.Code, rec.Body)
	}
	for _, bc := range []struct{ name, query string }{
		{"first", ""},
		{"last", "nextPageToken=" + strconv.Itoa(n-50)},
		{"domain", "domain=other.example.com&nextPageToken=" + strconv.Itoa(n/10-50)},
		{"filters", "domain=load.example.com&userType=External&active=false"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/console/users?"+bc.query, nil)
				req.AddCookie(cookies[0])
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="total"`) {
					b.Fatalf("%s: %d %s", bc.query, rec.Code, rec.Body)
				}
			}
		})
	}
}
