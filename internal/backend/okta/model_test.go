package okta_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestEngineModel drives the whole engine with random interleavings of Okta
// operations (people and groups assigned and unassigned, memberships,
// profiles, deactivation, reactivation, suspension, deletion of people and
// groups, the app and its connection turned off and on, toggles, the Wrike
// token rotated) under faults between the engine and Wrike (503 and 429
// windows with and without Retry-After, dropped and slow connections, 2xx
// answers that do not show the change, some after making it) and restarts,
// on the fake clock for at least 48 simulated hours. When the faults end and
// the queue is idle, Wrike's accounts must be what the model of Okta says:
// one per login, active exactly for the people assigned and active, with
// their latest profile and user type.
//
// A few fixed seeds run with the tests (not with -short);
// ENGINE_MODEL_RUNS=n runs n random seeds, ENGINE_MODEL_SEEDS=1,2,3 replays
// seeds (the operations and fault windows; the engine's jitter and the
// interleaving with its workers vary), ENGINE_MODEL_HOURS sets the
// simulated time (make engine-model), ENGINE_MODEL_LOG=1 logs the steps.
func TestEngineModel(t *testing.T) {
	if testing.Short() {
		t.Skip("the engine model runs with the full tests and make engine-model")
	}
	seeds := []uint64{1, 2, 3}
	if v := os.Getenv("ENGINE_MODEL_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("ENGINE_MODEL_RUNS: %v", err)
		}
		seeds = nil
		for range n {
			seeds = append(seeds, rand.Uint64()%1_000_000)
		}
	}
	if v := os.Getenv("ENGINE_MODEL_SEEDS"); v != "" {
		seeds = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("ENGINE_MODEL_SEEDS: %v", err)
			}
			seeds = append(seeds, n)
		}
	}
	hours := 48
	if v := os.Getenv("ENGINE_MODEL_HOURS"); v != "" {
		var err error
		if hours, err = strconv.Atoi(v); err != nil || hours < 1 {
			t.Fatalf("ENGINE_MODEL_HOURS: %q", v)
		}
	}
	for _, seed := range seeds {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			m := newModel(t, seed)
			defer func() {
				if t.Failed() {
					t.Logf("replay with: ENGINE_MODEL_SEEDS=%d ENGINE_MODEL_HOURS=%d go test -count=1 -run 'TestEngineModel' ./internal/backend/okta/", seed, hours)
				}
			}()
			m.run(time.Duration(hours) * time.Hour)
		})
	}
}

// mUser is a person in the model of Okta.
type mUser struct {
	id, login string
	profile   map[string]string
	status    string // ACTIVE, DEPROVISIONED, SUSPENDED
	// direct is the direct assignment's user type; "" when not assigned directly.
	direct string
}

// mGroup is a group; assigned groups push their members with userType.
type mGroup struct {
	id       string
	members  map[string]bool
	assigned bool
	priority int
	userType string
}

// faultMode is what the link does to the engine's requests meanwhile.
type faultMode int

const (
	faultNone faultMode = iota
	fault503
	fault503RetryAfter
	fault429
	fault429RetryAfter
	faultDrop
	faultSlow
	faultLie
	faultLieAfterChange
	faultModes
)

var faultNames = [...]string{"none", "503", "503+Retry-After", "429", "429+Retry-After", "drop", "slow", "2xx-lie", "2xx-lie-after-change"}

type model struct {
	t   *testing.T
	r   *rand.Rand
	o   *org
	clk *clock.Fake

	users  []*mUser // live people, in creation order
	groups []*mGroup
	logins []string
	// excused logins: changed while a provisioning toggle was off, which
	// Okta does not push later; only their one account is checked.
	excused    map[string]bool
	togglesOff bool
	staleToken bool
	connOff    bool
	appOff     bool
	// togglesOnAt ends the window with a toggle off.
	togglesOnAt time.Time
	nextGroup   int
	token       string

	mu sync.Mutex
	// fr draws the faults' patchiness, in the link's goroutines.
	fr    *rand.Rand
	fault faultMode
	// counts of the faults played, by mode.
	played [faultModes]int
	log    []string
}

func newModel(t *testing.T, seed uint64) *model {
	clk := clock.NewFake(epoch)
	o := newOrg(t, backendtest.WithClock(clk.Now), withOkta(func(c *okta.Config) {
		c.RetryBackoff = 0 // the default policy
		c.AfterFunc = clk.AfterFunc
		c.CallTimeout = 150 * time.Millisecond
	}))
	o.connect(true, true, true)
	m := &model{t: t, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), o: o, clk: clk, excused: map[string]bool{}, token: o.scim.Token,
		fr: rand.New(rand.NewPCG(seed, 1))}
	for i := range 10 {
		m.logins = append(m.logins, fmt.Sprintf("p%02d@acme.example.com", i))
	}
	o.link.answerWith(m.answer)
	return m
}

// answer plays the current fault on one request to Wrike.
func (m *model) answer(r *http.Request) *reliabilitytest.Fault {
	m.mu.Lock()
	mode := m.fault
	// Windows are patchy: some requests get through.
	if mode != faultNone && m.fr.IntN(4) == 0 {
		mode = faultNone
	}
	m.played[mode]++
	m.mu.Unlock()
	scimErr := func(status int, retryAfter string) *reliabilitytest.Fault {
		h := http.Header{"Content-Type": {"application/scim+json"}}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &reliabilitytest.Fault{Status: status, Header: h,
			Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` + strconv.Itoa(status) + `","detail":"fault"}`}
	}
	change := r.Method != http.MethodGet
	switch mode {
	case fault503:
		return scimErr(503, "")
	case fault503RetryAfter:
		return scimErr(503, "120")
	case fault429:
		return scimErr(429, "")
	case fault429RetryAfter:
		return scimErr(429, "30")
	case faultDrop:
		return dropped
	case faultSlow:
		m.mu.Lock()
		late := m.fr.IntN(2) == 0
		m.mu.Unlock()
		if !late {
			time.Sleep(50 * time.Millisecond) // slow, within the call timeout
			return nil
		}
		// Past the call timeout: the engine gives up on the request, which
		// never lands. (One that lands later can undo a newer change: only
		// conditional requests would stop that, see DESIGN.md.)
		time.Sleep(200 * time.Millisecond)
		return dropped
	case faultLie:
		if change {
			return &reliabilitytest.Fault{Status: 200, Header: scimJSON, Body: `{"id":"nobody","userName":"nobody@acme.example.com","active":true}`}
		}
	case faultLieAfterChange:
		if change {
			rec := m.o.link.forward(r)
			if rec.Code < 300 {
				return &reliabilitytest.Fault{Status: rec.Code, Header: scimJSON, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}`}
			}
			return &reliabilitytest.Fault{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
		}
	}
	return nil
}

func (m *model) setFault(f faultMode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fault = f
}

func (m *model) step(format string, args ...any) {
	m.log = append(m.log, fmt.Sprintf("%s %s", m.clk.Now().Sub(epoch).Round(time.Second), fmt.Sprintf(format, args...)))
}

// touch records a change that queued a task for each of us. Made while a
// toggle is off, it excuses the login: Okta does not push it later. Made
// with every toggle on for a person assigned and active, it clears the
// excuse: the push that follows links the login's account and replaces all
// of it.
func (m *model) touch(us ...*mUser) {
	for _, u := range us {
		switch {
		case m.togglesOff:
			m.excused[u.login] = true
		case u.status == "ACTIVE" && m.assigned(u):
			delete(m.excused, u.login)
		}
	}
}

// assigned reports whether u is assigned, directly or through a group.
func (m *model) assigned(u *mUser) bool {
	if u.direct != "" {
		return true
	}
	return slices.ContainsFunc(m.groups, func(g *mGroup) bool { return g.assigned && g.members[u.id] })
}

func (m *model) pickUser(ok func(*mUser) bool) *mUser {
	var c []*mUser
	for _, u := range m.users {
		if ok == nil || ok(u) {
			c = append(c, u)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.r.IntN(len(c))]
}

func (m *model) pickGroup(ok func(*mGroup) bool) *mGroup {
	var c []*mGroup
	for _, g := range m.groups {
		if ok == nil || ok(g) {
			c = append(c, g)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.r.IntN(len(c))]
}

func (m *model) membersOf(g *mGroup) []*mUser {
	var out []*mUser
	for _, u := range m.users {
		if g.members[u.id] {
			out = append(out, u)
		}
	}
	return out
}

var userTypes = []string{"Regular", "Collaborator", "External"}

func (m *model) anyType() string { return userTypes[m.r.IntN(len(userTypes))] }

// operate makes one random Okta change.
func (m *model) operate() {
	o, r := m.o, m.r
	path := "/api/v1/apps/" + o.appID
	switch op := r.IntN(40); {
	case op < 4: // a new person, with a login free or freed by a deletion
		var free []string
		for _, l := range m.logins {
			if !slices.ContainsFunc(m.users, func(u *mUser) bool { return u.login == l }) {
				free = append(free, l)
			}
		}
		if len(free) == 0 {
			return
		}
		u := &mUser{login: free[r.IntN(len(free))], status: "ACTIVE"}
		u.profile = person(u.login)
		u.id = o.user(u.profile)
		m.users = append(m.users, u)
		m.step("create %s", u.login)
	case op < 9: // assign directly, or change the assignment's user type
		if u := m.pickUser(nil); u != nil {
			u.direct = m.anyType()
			o.call(200, "POST", path+"/users", map[string]any{"id": u.id, "scope": "USER", "profile": map[string]string{"userType": u.direct}}, nil)
			m.touch(u)
			m.step("assign %s as %s", u.login, u.direct)
		}
	case op < 11:
		if u := m.pickUser(func(u *mUser) bool { return u.direct != "" }); u != nil {
			u.direct = ""
			if a := o.do("DELETE", path+"/users/"+u.id, nil); a.Status != 204 && a.Status != 403 {
				m.t.Fatalf("unassign %s: %d %s", u.login, a.Status, a.Raw)
			}
			m.touch(u)
			m.step("unassign %s", u.login)
		}
	case op < 13: // a group
		m.nextGroup++
		g := &mGroup{members: map[string]bool{}, priority: m.nextGroup, userType: m.anyType()}
		g.id = o.group(fmt.Sprintf("group%d", g.priority))
		m.groups = append(m.groups, g)
		m.step("group %d", g.priority)
	case op < 17: // membership
		g, u := m.pickGroup(nil), m.pickUser(nil)
		if g == nil || u == nil {
			return
		}
		if g.members[u.id] {
			delete(g.members, u.id)
			o.call(204, "DELETE", "/api/v1/groups/"+g.id+"/users/"+u.id, nil, nil)
			m.step("remove %s from group %d", u.login, g.priority)
		} else {
			g.members[u.id] = true
			o.call(204, "PUT", "/api/v1/groups/"+g.id+"/users/"+u.id, nil, nil)
			m.step("add %s to group %d", u.login, g.priority)
		}
		if g.assigned {
			m.touch(u)
		}
	case op < 19: // assign a group, or remove its assignment
		g := m.pickGroup(nil)
		if g == nil {
			return
		}
		if g.assigned {
			g.assigned = false
			o.call(204, "DELETE", path+"/groups/"+g.id, nil, nil)
			m.step("unassign group %d", g.priority)
		} else {
			g.assigned = true
			o.assignGroup(g.id, map[string]any{"priority": g.priority, "profile": map[string]string{"userType": g.userType}})
			m.step("assign group %d as %s", g.priority, g.userType)
		}
		m.touch(m.membersOf(g)...)
	case op < 20:
		if g := m.pickGroup(nil); g != nil {
			o.call(204, "DELETE", "/api/v1/groups/"+g.id, nil, nil)
			m.groups = slices.DeleteFunc(m.groups, func(x *mGroup) bool { return x == g })
			if g.assigned {
				m.touch(m.membersOf(g)...)
			}
			m.step("delete group %d", g.priority)
		}
	case op < 24: // profile
		if u := m.pickUser(nil); u != nil {
			attr := []string{"title", "lastName", "department", "primaryPhone", "organization"}[r.IntN(5)]
			value := fmt.Sprintf("V%d", r.IntN(1000))
			if attr == "primaryPhone" {
				value = fmt.Sprintf("+1 555 %04d", r.IntN(10000))
			}
			if u.profile[attr] == value {
				return // unchanged: Okta queues nothing
			}
			change := map[string]string{attr: value}
			maps.Copy(u.profile, change)
			o.call(200, "POST", "/api/v1/users/"+u.id, map[string]any{"profile": change}, nil)
			m.touch(u)
			m.step("profile %s %v", u.login, change)
		}
	case op < 27: // lifecycle
		u := m.pickUser(nil)
		if u == nil {
			return
		}
		op, next := "deactivate", "DEPROVISIONED"
		switch {
		case u.status == "DEPROVISIONED":
			op, next = "activate", "ACTIVE"
		case u.status == "SUSPENDED" && r.IntN(2) == 0:
			op, next = "unsuspend", "ACTIVE"
		case u.status == "ACTIVE" && r.IntN(2) == 0:
			op, next = "suspend", "SUSPENDED"
		}
		o.call(200, "POST", "/api/v1/users/"+u.id+"/lifecycle/"+op, nil, nil)
		u.status = next
		m.touch(u)
		m.step("%s %s", op, u.login)
	case op < 29: // delete: the first DELETE of a person not deactivated deactivates
		u := m.pickUser(nil)
		if u == nil {
			return
		}
		if r.IntN(2) == 0 && u.status != "DEPROVISIONED" {
			// Okta's usual offboarding: deactivate, then delete at once.
			o.call(204, "DELETE", "/api/v1/users/"+u.id, nil, nil)
			u.status = "DEPROVISIONED"
		}
		o.call(204, "DELETE", "/api/v1/users/"+u.id, nil, nil)
		m.touch(u)
		if u.status != "DEPROVISIONED" {
			u.status = "DEPROVISIONED"
			m.step("delete (deactivate) %s", u.login)
			return
		}
		for _, g := range m.groups {
			delete(g.members, u.id)
		}
		m.users = slices.DeleteFunc(m.users, func(x *mUser) bool { return x == u })
		m.step("delete %s", u.login)
	case op < 30: // the connection off (on again by restore)
		if !m.connOff {
			o.call(204, "POST", path+"/connections/default/lifecycle/deactivate", nil, nil)
			m.connOff = true
			m.step("connection off")
		}
	case op < 31: // the app off (on again by restore)
		if !m.appOff {
			o.call(200, "POST", path+"/lifecycle/deactivate", nil, nil)
			m.appOff = true
			m.step("app off")
		}
	case op < 32: // a toggle off for a while: a change made meanwhile is excused
		if m.togglesOff || r.IntN(2) == 0 {
			return
		}
		create, update, deactivate := r.IntN(3) != 0, r.IntN(3) != 0, r.IntN(3) != 0
		if create && update && deactivate {
			return
		}
		// What is queued now may run with the toggle off.
		for _, tk := range o.tasks("") {
			m.excused[tk.Login] = true
		}
		m.togglesOff = true
		m.togglesOnAt = m.clk.Now().Add(time.Duration(r.Int64N(int64(2 * time.Hour))))
		o.toggles(create, update, deactivate)
		m.step("toggles %v %v %v until %s", create, update, deactivate, m.togglesOnAt.Sub(epoch).Round(time.Second))
	case op < 33: // the Wrike token rotated; the connection saved with it later
		var out struct{ Data []struct{ Token string } }
		o.env.Admin(m.t, "POST", "/api_apps/"+o.scim.AppID+"/regenerate_token", nil, &out)
		m.token, m.staleToken = out.Data[0].Token, true
		m.step("token rotated")
	}
}

// restore turns back on, some time later, what operate turned off: the
// connection (saved with the new token after a rotation), the app, the
// toggles.
func (m *model) restore() {
	o, r, path := m.o, m.r, "/api/v1/apps/"+m.o.appID
	if m.togglesOff && !m.clk.Now().Before(m.togglesOnAt) {
		o.toggles(true, true, true)
		m.togglesOff = false
		m.step("toggles on")
	}
	if m.staleToken && r.IntN(3) == 0 {
		// Saving tests the credentials through the link: a fault may refuse it.
		if a := o.do("POST", path+"/connections/default?activate=true",
			map[string]any{"baseUrl": o.scimURL, "profile": map[string]string{"authScheme": "TOKEN", "token": m.token}}); a.Status == 200 {
			m.staleToken, m.connOff = false, false
			m.step("connection saved with the new token")
		}
	}
	if m.connOff && !m.staleToken && r.IntN(3) == 0 {
		if a := o.do("POST", path+"/connections/default/lifecycle/activate", nil); a.Status == 204 {
			m.connOff = false
			m.step("connection on")
		}
	}
	if m.appOff && r.IntN(3) == 0 {
		o.call(200, "POST", path+"/lifecycle/activate", nil, nil)
		m.appOff = false
		m.step("app on")
	}
}

// run plays the model for the given simulated time, then ends the faults,
// turns everything on and checks Wrike against the model.
func (m *model) run(d time.Duration) {
	o, r := m.o, m.r
	end := epoch.Add(d)
	faultEnds := epoch
	for steps := 0; m.clk.Now().Before(end); steps++ {
		if steps > 5000 {
			m.t.Fatal("5000 steps without reaching the end of the simulated time")
		}
		if !m.clk.Now().Before(faultEnds) {
			f := faultMode(r.IntN(int(faultModes)))
			if r.IntN(3) == 0 {
				f = faultNone
			}
			m.setFault(f)
			faultEnds = m.clk.Now().Add(time.Duration(r.Int64N(int64(6 * time.Hour))))
			m.step("fault %s until %s", faultNames[f], faultEnds.Sub(epoch).Round(time.Second))
		}
		m.restore()
		for range r.IntN(6) {
			m.operate()
		}
		switch r.IntN(12) {
		case 0:
			// Between attempts: a request cut off by a restart that still
			// lands later is the late request dev/RELIABILITY.md sets aside.
			o.settle()
			o.restart()
			m.step("restart")
		case 1, 2, 3:
			o.settle()
			m.clk.AdvanceToNext()
		default:
			o.settle()
			m.clk.Advance(time.Duration(r.Int64N(int64(90 * time.Minute))))
		}
	}

	// The faults end; the app, its connection and every toggle are on.
	m.setFault(faultNone)
	if m.staleToken {
		o.saveConnection(o.scimURL, m.token)
	} else {
		o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/activate", nil, nil)
	}
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/lifecycle/activate", nil, nil)
	o.toggles(true, true, true)
	m.togglesOff = false
	m.step("faults end; all on")
	o.drive(m.clk, nil)
	m.check()
}

// check compares Wrike's accounts with what the model of Okta says.
func (m *model) check() {
	t := m.t
	defer func() {
		if t.Failed() {
			t.Logf("steps:\n%s", strings.Join(m.log, "\n"))
		}
	}()
	if os.Getenv("ENGINE_MODEL_LOG") != "" {
		t.Logf("steps:\n%s", strings.Join(m.log, "\n"))
	}
	if failed := m.o.wait(); failed != 0 {
		t.Errorf("%d tasks FAILED once the faults ended: %+v", failed, m.o.tasks("FAILED"))
	}
	accounts := m.o.wrikeUsers()
	checked := 0
	for _, login := range m.logins {
		var u *mUser
		for _, x := range m.users {
			if x.login == login {
				u = x
			}
		}
		a, ok := accounts[login]
		want := m.expected(u)
		if want != nil {
			want.ID, want.Billable = a.ID, a.Billable
		}
		switch {
		case m.excused[login]:
		case want == nil && ok && a.Active:
			t.Errorf("%s: active in Wrike, want inactive or absent (Okta: %+v)%s", login, u, m.history(u))
		case want != nil && !ok:
			t.Errorf("%s: no account in Wrike, want %+v", login, *want)
		case want != nil && a != *want:
			t.Errorf("%s: Wrike has %+v\n  want %+v%s", login, a, *want, m.history(u))
		default:
			checked++
		}
	}
	for login := range accounts {
		if !slices.Contains(m.logins, login) {
			t.Errorf("an account no one asked for: %s", login)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.Logf("%v simulated; %d people live, %d groups; %d of %d logins checked exactly (%d excused by toggles); faults played: %v",
		m.clk.Now().Sub(epoch).Round(time.Minute), len(m.users), len(m.groups), checked, len(m.logins), len(m.excused), m.played)
}

// history is the System Log of u's provisioning, for a failure's report.
func (m *model) history(u *mUser) string {
	if u == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range m.o.events(`target.id eq "` + u.id + `"`) {
		fmt.Fprintf(&b, "\n    %s %s %s", e.EventType, e.Outcome.Result, e.Outcome.Reason)
	}
	return b.String()
}

// expected is the Wrike account the model says u should have: nil when
// none or an inactive one.
func (m *model) expected(u *mUser) *wrikeUser {
	if u == nil || u.status != "ACTIVE" {
		return nil
	}
	userType, prio := u.direct, -1
	if userType == "" {
		for _, g := range m.groups {
			if g.assigned && g.members[u.id] && (prio < 0 || g.priority < prio) {
				userType, prio = g.userType, g.priority
			}
		}
	}
	if userType == "" {
		return nil
	}
	p := u.profile
	return &wrikeUser{UserName: u.login, FirstName: p["firstName"], LastName: p["lastName"], Email: p["email"], Title: p["title"],
		Phone: p["primaryPhone"], Organization: p["organization"], Department: p["department"], UserType: userType, Active: true, Billable: true}
}
