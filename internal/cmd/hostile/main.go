// Command hostile measures the reference backend under hostile load: the
// costliest request of each kind a client can send within the size limits
// and the per-request cost budget (long co operands over long values,
// hundreds of co clauses, value filters over every element of multi-valued
// attributes, sorting, PATCH requests of a thousand value-path operations,
// Okta searches of hundreds of co clauses and megabyte-long operands), each
// on its own, then all at once while userName eq lookups run.
//
// It starts a wrike-backend binary on loopback with a fresh data directory,
// provisions ordinary users and "fat" users (every attribute and every
// multi-valued attribute at its limit) on both faces, then reports, per
// kind, the answers and the backend's CPU time per request (each kind run
// alone, so that the process's CPU time is that request's), and the lookups'
// p50 and p99 idle and under all the kinds at once. dev/BENCHMARKS.md holds the
// figures; the target is about 1 s of CPU for any single request and
// lookups' p99 within 3× idle.
//
//	go build -o bin/ ./internal/cmd/... && ./bin/hostile -backend ./bin/wrike-backend
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

func main() {
	bin := flag.String("backend", "./bin/wrike-backend", "wrike-backend binary to measure")
	users := flag.Int("users", 2000, "ordinary Wrike users (looked up by userName)")
	fat := flag.Int("fat", 200, "Wrike users with every attribute at its limit")
	oktaUsers := flag.Int("okta-users", 500, "Okta users, every profile attribute at its limit")
	conns := flag.Int("conns", 8, "connections sending userName eq lookups")
	duration := flag.Duration("duration", 20*time.Second, "duration of each lookup measurement")
	runs := flag.Int("runs", 3, "requests of each kind measured alone")
	only := flag.String("only", "", "run only the kinds whose name contains this")
	flag.Parse()
	if err := run(*bin, *users, *fat, *oktaUsers, *conns, *duration, *runs, *only); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

const domain = "hostile.example.com"

func userName(i int) string { return fmt.Sprintf("user%06d@%s", i, domain) }

func ordinaryUser(i int) string {
	n := userName(i)
	return fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":"Given%d","familyName":"Family%d"},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"}],"title":"Engineer","active":true}`, scim.SchemaUser, n, i, i, n)
}

// fatAddress is the k-th email address of fat user i: long, distinct, parseable.
func fatAddress(i, k int) string {
	return fmt.Sprintf("fat%04d.%02d.%s@%s", i, k, strings.Repeat("a", 50), domain)
}

// fatUser is a user with every writable attribute, and every multi-valued
// attribute's every value, at its limit (some 250 KB of JSON).
func fatUser(i int) string {
	l := func(n int) string { return strings.Repeat("a", n) }
	values := func(mk func(k int) map[string]any) []any {
		out := make([]any, scim.DefaultMaxValues)
		for k := range out {
			out[k] = mk(k)
		}
		return out
	}
	name := scim.MaxNameLength
	u := map[string]any{
		"schemas":  []string{scim.SchemaUser, scim.SchemaEnterpriseUser},
		"userName": fatAddress(i, 0),
		"name": map[string]any{"formatted": l(name), "familyName": l(name), "givenName": l(name), "middleName": l(name),
			"honorificPrefix": l(name), "honorificSuffix": l(name)},
		"displayName": l(name), "nickName": l(name), "title": l(name),
		"profileUrl": "https://" + l(scim.DefaultMaxReferenceLength-8),
		"userType":   l(scim.DefaultMaxLength), "preferredLanguage": l(scim.DefaultMaxLength), "locale": l(scim.DefaultMaxLength),
		"timezone": l(scim.DefaultMaxLength), "active": true,
		"emails": values(func(k int) map[string]any {
			return map[string]any{"value": fatAddress(i, k), "type": "other", "primary": k == 0, "display": l(scim.DefaultMaxLength)}
		}),
		"phoneNumbers": values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%02d", k) + strings.Repeat("5", scim.MaxPhoneLength-2), "display": l(scim.DefaultMaxLength), "type": "work"}
		}),
		"addresses": values(func(k int) map[string]any {
			return map[string]any{"formatted": fmt.Sprintf("%02d", k) + l(scim.DefaultMaxLength-2), "streetAddress": l(scim.DefaultMaxLength),
				"locality": l(scim.DefaultMaxLength), "region": l(scim.DefaultMaxLength), "postalCode": l(scim.DefaultMaxLength),
				"country": l(scim.DefaultMaxLength), "type": "work"}
		}),
		"x509Certificates": values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%04d", k) + strings.Repeat("A", scim.DefaultMaxBinaryLength-4), "display": l(scim.DefaultMaxLength)}
		}),
		scim.SchemaEnterpriseUser: map[string]any{"employeeNumber": l(scim.DefaultMaxLength), "costCenter": l(scim.DefaultMaxLength),
			"organization": l(scim.DefaultMaxLength), "division": l(scim.DefaultMaxLength), "department": l(scim.DefaultMaxLength),
			"manager": map[string]any{"value": l(scim.DefaultMaxLength)}},
	}
	for _, attr := range []string{"ims", "entitlements", "roles", "photos"} {
		length := scim.DefaultMaxLength
		if attr == "photos" {
			length = scim.DefaultMaxReferenceLength
		}
		u[attr] = values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%02d", k) + l(length-2), "display": l(scim.DefaultMaxLength)}
		})
	}
	b, _ := json.Marshal(u)
	return string(b)
}

// oktaProfile is an Okta user's profile with every base attribute at its
// limit (the Okta face's: 100 for the addresses and phones, 50 for the
// first and last name, 256 for the other names and the title, 1,024 else).
func oktaProfile(i int) map[string]string {
	addr := func(prefix string) string {
		return fmt.Sprintf("%s%04d", prefix, i) + strings.Repeat("a", 35) + "@" + strings.Repeat("d", 100-41-len(".example.com")) + ".example.com"
	}
	p := map[string]string{"login": addr("l"), "email": addr("e"), "secondEmail": addr("s"),
		"firstName": strings.Repeat("f", 50), "lastName": strings.Repeat("l", 50),
		"primaryPhone": strings.Repeat("5", 100), "mobilePhone": strings.Repeat("5", 100)}
	for _, k := range []string{"middleName", "honorificPrefix", "honorificSuffix", "title", "displayName", "nickName"} {
		p[k] = strings.Repeat("a", scim.MaxNameLength)
	}
	for _, k := range []string{"profileUrl", "streetAddress", "city", "state", "zipCode", "countryCode", "postalAddress",
		"preferredLanguage", "locale", "timezone", "userType", "employeeNumber", "costCenter", "organization", "division",
		"department", "managerId", "manager"} {
		p[k] = strings.Repeat("a", scim.DefaultMaxLength)
	}
	return p
}

// kind is one hostile request.
type kind struct {
	name string
	send func(ctx context.Context) (int, error)
}

func run(bin string, users, fat, oktaUsers, conns int, duration time.Duration, runs int, only string) error {
	dataDir, err := os.MkdirTemp("", "hostile-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dataDir) }()
	proc, err := reliabilitytest.StartBackend(context.Background(), reliabilitytest.BackendOptions{Binary: bin, DataDir: dataDir, Stderr: os.Stderr})
	if err != nil {
		return err
	}
	defer proc.Kill()
	pid := proc.Pid()
	tokens, err := backend.LoadTokens(dataDir)
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: 2 * time.Minute}
	admin := &reliabilitytest.Client{HTTP: hc, Auth: "Bearer " + tokens.WrikeAdmin}
	scimToken, err := reliabilitytest.SetUpSCIM(admin, proc.WrikeURL, domain, "hostile")
	if err != nil {
		return err
	}
	sc := &reliabilitytest.Client{HTTP: hc, Auth: "Bearer " + scimToken}
	scimBase := proc.WrikeURL + "/scim/okta/v2"
	ok := &reliabilitytest.Client{HTTP: hc, Auth: "SSWS " + tokens.OktaAPI}

	start := time.Now()
	if _, err := reliabilitytest.Parallel(users, 16, func(i int) error { _, err := sc.Expect("POST", scimBase+"/Users", ordinaryUser(i), 201); return err }); err != nil {
		return err
	}
	if _, err := reliabilitytest.Parallel(fat, 4, func(i int) error { _, err := sc.Expect("POST", scimBase+"/Users", fatUser(i), 201); return err }); err != nil {
		return err
	}
	if _, err := reliabilitytest.Parallel(oktaUsers, 8, func(i int) error {
		body, _ := json.Marshal(map[string]any{"profile": oktaProfile(i)})
		_, err := ok.Expect("POST", proc.OktaURL+"/api/v1/users?activate=false", string(body), 200)
		return err
	}); err != nil {
		return err
	}
	fmt.Printf("wrike-backend pid %d: %d ordinary and %d fat Wrike users, %d fat Okta users, provisioned in %.1fs\n",
		pid, users, fat, oktaUsers, time.Since(start).Seconds())

	get := func(c *reliabilitytest.Client, u string) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) { status, _, err := c.Do(ctx, "GET", u, ""); return status, err }
	}
	filter := func(f string) string { return scimBase + "/Users?filter=" + url.QueryEscape(f) }
	nearMiss := strings.Repeat("A", scim.MaxFilterLength-200) + "b"
	var clauses []string
	for i := 0; len(strings.Join(clauses, " or ")) < scim.MaxFilterLength-40; i++ {
		clauses = append(clauses, fmt.Sprintf(`title co "aa%03d"`, i%1000))
	}
	// Okta's expressions have no length limit but the request line's (64 KiB).
	const oktaExpr = 60_000
	var oktaClauses []string
	for i := 0; len(strings.Join(oktaClauses, " or ")) < oktaExpr-60; i++ {
		oktaClauses = append(oktaClauses, fmt.Sprintf(`profile.title co "%s%04d"`, strings.Repeat("a", 20), i))
	}
	var ops []string
	for i := range scim.MaxPatchOperations {
		ops = append(ops, fmt.Sprintf(`{"op":"replace","path":"emails[value eq \"%s\"].display","value":"d%d"}`, fatAddress(0, i%scim.DefaultMaxValues), i))
	}
	patchBody := `{"schemas":["` + scim.SchemaPatchOp + `"],"Operations":[` + strings.Join(ops, ",") + `]}`
	// The PATCH goes to the first fat user, whose addresses are fatAddress(0, k).
	b, err := sc.Expect("GET", filter(`userName eq "`+fatAddress(0, 0)+`"`), "", 200)
	if err != nil {
		return err
	}
	var first struct{ Resources []struct{ ID string } }
	if err := json.Unmarshal(b, &first); err != nil {
		return fmt.Errorf("the first fat user: %w", err)
	}
	if len(first.Resources) != 1 {
		return fmt.Errorf("the first fat user: %s", b)
	}
	fatID := first.Resources[0].ID
	// The PUT replaces the second fat user with itself at every limit, its
	// title changed each time, so that every request decodes, checks and
	// stores some 250 KB.
	b, err = sc.Expect("GET", filter(`userName eq "`+fatAddress(1, 0)+`"`), "", 200)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &first); err != nil || len(first.Resources) != 1 {
		return fmt.Errorf("the second fat user: %s", b)
	}
	putID, putBody := first.Resources[0].ID, fatUser(1)
	var puts atomic.Int64
	kinds := []kind{
		{"SCIM filter: title co, an 8 KB near-miss operand", get(sc, filter(`title co "`+nearMiss+`"`))},
		{fmt.Sprintf("SCIM filter: %d title co clauses", len(clauses)), get(sc, filter(strings.Join(clauses, " or ")))},
		{"SCIM filter: addresses[formatted co 8 KB], 10 values a user", get(sc, filter(`addresses[formatted co "`+nearMiss+`"]`))},
		{"SCIM list: sortBy=title", get(sc, scimBase+"/Users?sortBy=title")},
		{"SCIM PATCH: 1,000 emails[value eq] operations", func(ctx context.Context) (int, error) {
			status, _, err := sc.Do(ctx, "PATCH", scimBase+"/Users/"+fatID, patchBody)
			return status, err
		}},
		{"SCIM PUT: a user at every size limit (250 KB)", func(ctx context.Context) (int, error) {
			title := fmt.Sprintf(`"title":"%08d`, puts.Add(1))
			body := strings.Replace(putBody, `"title":"`+strings.Repeat("a", 8), title, 1)
			status, _, err := sc.Do(ctx, "PUT", scimBase+"/Users/"+putID, body)
			return status, err
		}},
		{"SCIM list: attributes=userName, count=1000", get(sc, scimBase+"/Users?attributes=userName&count=1000&startIndex="+strconv.Itoa(users+1))},
		{"admin API: GET /users?domain=, 1,000 a page", get(admin, proc.WrikeURL+"/api/v4/users?domain="+domain)},
		{fmt.Sprintf("Okta search: %d co clauses", len(oktaClauses)), get(ok, proc.OktaURL+"/api/v1/users?search="+url.QueryEscape(strings.Join(oktaClauses, " or ")))},
		{"Okta filter: co with a 60 KB operand", get(ok, proc.OktaURL+"/api/v1/users?filter="+url.QueryEscape(`profile.title co "`+strings.Repeat("A", oktaExpr)+`"`))},
		{"Okta q: a 100-character prefix", get(ok, proc.OktaURL+"/api/v1/users?q="+strings.Repeat("l", 100))},
	}

	kinds = slices.DeleteFunc(kinds, func(k kind) bool { return !strings.Contains(k.name, only) })
	// Each kind alone: the process's CPU time is the request's.
	fmt.Printf("\neach kind alone, %d requests (CPU: the backend's, per request):\n", runs)
	for _, k := range kinds {
		answers := map[int]int{}
		var worst, total float64
		var wall time.Duration
		for range runs {
			c0, t0 := reliabilitytest.CPUSeconds(pid), time.Now()
			status, err := k.send(context.Background())
			if err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
			d := time.Since(t0)
			c := reliabilitytest.CPUSeconds(pid) - c0
			answers[status]++
			worst, total, wall = max(worst, c), total+c, max(wall, d)
		}
		fmt.Printf("  %-58s %v  CPU mean %.2fs, max %.2fs; wall max %.2fs\n", k.name, answers, total/float64(runs), worst, wall.Seconds())
	}

	lookup := func(i int) bool {
		status, b, err := sc.Do(context.Background(), "GET", filter(`userName eq "`+userName(i%users)+`"`), "")
		return err == nil && status == 200 && bytes.Contains(b, []byte(`"totalResults":1`))
	}
	idle := reliabilitytest.Measure(conns, duration, lookup)
	fmt.Printf("\nlookups idle: %d at %.0f req/s, p50 %s, p99 %s, errors %d\n", idle.Requests, idle.RPS, idle.P50, idle.P99, idle.Errors)

	answers := make([]map[int]int, len(kinds))
	for i := range kinds {
		answers[i] = map[int]int{}
	}
	stop := reliabilitytest.Background(len(kinds), func(ctx context.Context, i int) {
		if status, err := kinds[i].send(ctx); err == nil {
			answers[i][status]++
		}
	})
	time.Sleep(time.Second) // every kind under way
	c0 := reliabilitytest.CPUSeconds(pid)
	loaded := reliabilitytest.Measure(conns, duration, lookup)
	cpu := reliabilitytest.CPUSeconds(pid) - c0
	stop()
	fmt.Printf("lookups under all %d kinds at once (one client each): %d at %.0f req/s, p50 %s, p99 %s (%.2f× idle), errors %d; backend CPU %.1f cores\n",
		len(kinds), loaded.Requests, loaded.RPS, loaded.P50, loaded.P99, float64(loaded.P99)/float64(idle.P99), loaded.Errors, cpu/duration.Seconds())
	for i, k := range kinds {
		fmt.Printf("  %-58s %v\n", k.name, answers[i])
	}
	return nil
}
