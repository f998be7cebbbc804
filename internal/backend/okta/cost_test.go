package okta_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// valueOfLength is a valid value of n characters for profile attribute k:
// an address for login and the emails, two-byte characters otherwise, so
// that characters are counted, not bytes.
func valueOfLength(k string, n int) string {
	switch k {
	case "login", "email", "secondEmail":
		// A local part of 40 (at most 64) and a label of what is left.
		return strings.Repeat("a", 40) + "@" + strings.Repeat("d", n-41-len(".example.com")) + ".example.com"
	}
	return strings.Repeat("é", n)
}

// TestProfileSizeLimits: every base profile attribute takes a value of
// exactly its limit, by create and by update, and one character more is a
// 400 E0000001 naming the attribute and the limit, changing nothing.
func TestProfileSizeLimits(t *testing.T) {
	o := newEmptyOrg(t)
	id := o.user(person("ann@acme.example.com"))
	for _, k := range okta.ProfileAttributes() {
		limit := okta.MaxProfileLength(k)
		at := person("bob@acme.example.com")
		at[k] = valueOfLength(k, limit)
		var created struct{ ID string }
		o.call(200, "POST", "/api/v1/users?activate=false", map[string]any{"profile": at}, &created)
		o.call(204, "DELETE", "/api/v1/users/"+created.ID, nil, nil)
		o.call(204, "DELETE", "/api/v1/users/"+created.ID, nil, nil)

		past := person("cy@acme.example.com")
		past[k] = valueOfLength(k, limit+1)
		want := fmt.Sprintf("%s: The field is too long (at most %d characters; it has %d)", k, limit, limit+1)
		for _, c := range []struct{ method, path string }{{"POST", "/api/v1/users"}, {"POST", "/api/v1/users/" + id}, {"PUT", "/api/v1/users/" + id}} {
			r := o.do(c.method, c.path, map[string]any{"profile": past})
			if r.Status != 400 || r.OktaErrorCode() != "E0000001" || !strings.Contains(r.Raw, want) {
				t.Errorf("%s %s with %s of %d characters: %d %s, want 400 E0000001 %q", c.method, c.path, k, limit+1, r.Status, r.Raw, want)
			}
		}
	}
	var u struct{ Profile map[string]string }
	o.call(200, "GET", "/api/v1/users/"+id, nil, &u)
	if u.Profile["login"] != "ann@acme.example.com" || u.Profile["title"] != "Engineer" {
		t.Fatalf("a refused update changed the user: %v", u.Profile)
	}
	var found []any
	o.call(200, "GET", "/api/v1/users?search="+url.QueryEscape(`profile.login sw "cy@"`), nil, &found)
	if len(found) != 0 {
		t.Fatalf("a refused create made a user: %v", found)
	}
	// Groups: a name of 255 characters and a description of 1,024.
	for _, c := range []struct {
		name, description string
		status            int
	}{
		{strings.Repeat("n", 255), strings.Repeat("d", 1024), 200},
		{strings.Repeat("n", 256), "", 400},
		{"g", strings.Repeat("d", 1025), 400},
	} {
		o.call(c.status, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": c.name, "description": c.description}}, nil)
	}
}

// TestSearchBudget: a search, filter or q that examines more bytes than the
// budget is a 400 E0000031 naming the limit; the same clauses with short
// operands, and the indexed login lookup, are answered.
func TestSearchBudget(t *testing.T) {
	const budget = 2_000_000
	o := newEmptyOrg(t, withOkta(func(c *okta.Config) { c.SearchBudget = budget }))
	for i := range 20 {
		o.user(withTitle(person(fmt.Sprintf("u%02d@acme.example.com", i)), strings.Repeat("t", 256)))
	}
	clauses := func(n, length int) string {
		var cs []string
		for i := range n {
			cs = append(cs, fmt.Sprintf(`profile.title co "%s%03d"`, strings.Repeat("x", length), i))
		}
		return strings.Join(cs, " or ")
	}
	// 20 users × 40 clauses × 256 × 100 bytes is 20 times the budget.
	wide := clauses(40, 100)
	for _, param := range []string{"search", "filter"} {
		r := o.do("GET", "/api/v1/users?"+param+"="+url.QueryEscape(wide), nil)
		if r.Status != 400 || r.OktaErrorCode() != "E0000031" || !strings.Contains(r.Raw, fmt.Sprint(budget)) || !strings.Contains(r.Raw, param+": ") {
			t.Errorf("%s over the budget: %d %s", param, r.Status, r.Raw)
		}
	}
	var users []any
	o.call(200, "GET", "/api/v1/users?search="+url.QueryEscape(clauses(40, 0)), nil, &users)
	o.call(200, "GET", "/api/v1/users?search="+url.QueryEscape(`profile.login eq "u07@acme.example.com" and (`+wide+`)`), nil, &users)
	// q: a prefix as long as the budget allows decoding a few users only.
	long := o.do("GET", "/api/v1/users?q="+strings.Repeat("u", 2000), nil)
	if long.Status != 200 {
		t.Errorf("q within the budget: %d %s", long.Status, long.Raw)
	}
	// Groups are searched within the same budget.
	for i := range 20 {
		o.group(fmt.Sprintf("group %02d %s", i, strings.Repeat("g", 200)))
	}
	r := o.do("GET", "/api/v1/groups?search="+url.QueryEscape(strings.ReplaceAll(wide, "profile.title", "profile.name")), nil)
	if r.Status != 400 || r.OktaErrorCode() != "E0000031" || !strings.Contains(r.Raw, fmt.Sprint(budget)) {
		t.Errorf("group search over the budget: %d %s", r.Status, r.Raw)
	}
}

// TestSearchWaitsForASlot: a search waits for the ones running (every slot
// held here), then answers 429 E0000047 saying why; the indexed login
// lookup does not wait.
func TestSearchWaitsForASlot(t *testing.T) {
	o := newEmptyOrg(t)
	o.user(person("ann@acme.example.com"))
	release := o.env.Backend.Okta.HoldSearches(50 * time.Millisecond)
	r := o.do("GET", "/api/v1/users?search="+url.QueryEscape(`profile.title co "x"`), nil)
	if r.Status != 429 || r.OktaErrorCode() != "E0000047" || !strings.Contains(r.Raw, "another search is running") {
		t.Errorf("search while the slots are held: %d %s", r.Status, r.Raw)
	}
	var users []any
	o.call(200, "GET", "/api/v1/users?search="+url.QueryEscape(`profile.login eq "ann@acme.example.com"`), nil, &users)
	if len(users) != 1 {
		t.Fatalf("indexed lookup while the slots are held: %v", users)
	}
	release()
	o.call(200, "GET", "/api/v1/users?search="+url.QueryEscape(`profile.title co "x"`), nil, &users)
}
