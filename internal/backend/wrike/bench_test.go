package wrike_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// The benchmarks call the face's handler in-process (no network), so they
// measure the server's own work per request. internal/cmd/scimload measures
// the speed targets over loopback; dev/BENCHMARKS.md has both.

const benchUsers = 10_000

func benchUserBody(i int) string {
	n := fmt.Sprintf("user%06d@load.example.com", i)
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
		`"userName":%q,"externalId":"ext-%d","name":{"givenName":"Given%d","familyName":"Family%d"},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"Given%d Family%d","title":"Engineer",`+
		`"phoneNumbers":[{"primary":true,"value":"+1 555 %04d","type":"work"}],`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"R&D"},"active":true}`,
		n, i, i, i, n, i, i, i%10000)
}

type benchEnv struct {
	h     http.Handler
	base  string // SCIM base path
	token string
	ids   []string
}

func (e *benchEnv) serve(method, path, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, e.base+path, nil)
	} else {
		req = httptest.NewRequest(method, e.base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func startBench(b *testing.B, users int) *benchEnv {
	b.Helper()
	env := backendtest.Start(b)
	sc := env.SetupSCIM(b, "okta", "load.example.com")
	e := &benchEnv{h: env.Backend.Wrike, base: strings.TrimPrefix(sc.BaseURL, env.WrikeURL), token: sc.Token, ids: make([]string, users)}
	if _, err := reliabilitytest.Parallel(users, 32, func(i int) error {
		rec := e.serve("POST", "/Users", benchUserBody(i))
		if rec.Code != http.StatusCreated {
			return fmt.Errorf("create user %d: %d %s", i, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		j := strings.Index(body, `"id":"`) + 6
		e.ids[i] = body[j : j+strings.IndexByte(body[j:], '"')]
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkLookupUserName is Okta's first call for every user: GET /Users
// with filter userName eq, answered from the index.
func BenchmarkLookupUserName(b *testing.B) {
	e := startBench(b, benchUsers)
	paths := make([]string, 1024)
	for i := range paths {
		paths[i] = "/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "USER%06d@load.example.com"`, i*7%benchUsers))
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := e.serve("GET", paths[n.Add(1)%int64(len(paths))], "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"totalResults":1,`) {
				b.Fatalf("lookup: %d %s", rec.Code, rec.Body.String())
			}
		}
	})
}

// BenchmarkCreateUser is POST /Users with durable, group-committed writes.
func BenchmarkCreateUser(b *testing.B) {
	e := startBench(b, 0)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := e.serve("POST", "/Users", benchUserBody(int(n.Add(1)))); rec.Code != http.StatusCreated {
				b.Fatalf("create: %d %s", rec.Code, rec.Body.String())
			}
		}
	})
}

// BenchmarkPatchDeactivate is Okta's deactivation, PATCH active=false,
// alternating with reactivation so that every request changes the user.
func BenchmarkPatchDeactivate(b *testing.B) {
	e := startBench(b, benchUsers)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			active := (i/benchUsers)%2 == 1
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%v}}]}`, active)
			if rec := e.serve("PATCH", "/Users/"+e.ids[i%benchUsers], body); rec.Code != http.StatusOK {
				b.Fatalf("patch: %d %s", rec.Code, rec.Body.String())
			}
		}
	})
}

// benchSize reads a user count from the environment (default def), so the
// scan benchmarks can run at 100,000 users without slowing `make bench`.
func benchSize(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("%s=%q: %v", name, v, err)
		}
		return n
	}
	return def
}

// BenchmarkScan measures what the scan budget counts: examining every user
// with a filter that cannot use the index, with 1 and with the most
// comparisons the budget admits (CostliestFilter). ns/user is mostly
// decoding; BenchmarkCostUnits in internal/scim calibrates the units.
func BenchmarkScan(b *testing.B) {
	users := benchSize(b, "BENCH_SCAN_USERS", benchUsers)
	e := startBench(b, users)
	worst, k := wrike.CostliestFilter(users)
	cases := []struct {
		name, filter string
		comparisons  int
	}{{"1-comparison", `title eq "nobody"`, 1}}
	if k > 0 { // else the budget admits no scan over so many users
		cases = append(cases, struct {
			name, filter string
			comparisons  int
		}{fmt.Sprintf("%d-comparisons", k), worst, k})
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			path := "/Users?filter=" + url.QueryEscape(tc.filter)
			for b.Loop() {
				if rec := e.serve("GET", path, ""); rec.Code != http.StatusOK {
					b.Fatalf("scan: %d %s", rec.Code, rec.Body.String())
				}
			}
			perUser := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(users)
			b.ReportMetric(perUser, "ns/user")
		})
	}
}
