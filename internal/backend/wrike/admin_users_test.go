package wrike_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// importUsers provisions n users through the Okta integration in bulk;
// user i is user<i>@<domain>, External when i is odd.
func importUsers(t *testing.T, env *backendtest.Env, domain string, from, n int) {
	t.Helper()
	stored, err := env.Backend.Wrike.ImportUsers(context.Background(), "okta", n, 500, func(i int) []byte {
		userType := "Regular"
		if (from+i)%2 == 1 {
			userType = "External"
		}
		return []byte(fmt.Sprintf(`{"schemas":["%s","%s"],"userName":"user%d@%s","name":{"givenName":"G%d","familyName":"F"},
			"emails":[{"primary":true,"value":"user%d@%s"}],"%s":{"userType":%q}}`,
			coreUser, wrikeExt, from+i, domain, from+i, from+i, domain, wrikeExt, userType))
	})
	if err != nil || stored != n {
		t.Fatalf("import: %d stored, %v", stored, err)
	}
}

type usersPage struct {
	names []string
	next  string
	size  float64
}

func listUsersPage(t *testing.T, env *backendtest.Env, query url.Values) usersPage {
	t.Helper()
	a := adminCall(t, env, "GET", "/users?"+query.Encode(), "")
	var p usersPage
	for _, u := range a.Data(t) {
		p.names = append(p.names, u["userName"].(string))
	}
	if a.Body["kind"] != "users" {
		t.Fatalf("kind = %v", a.Body["kind"])
	}
	p.next, _ = a.Body["nextPageToken"].(string)
	if _, present := a.Body["nextPageToken"]; present && p.next == "" {
		t.Fatalf("an empty nextPageToken: %s", a.Raw[:min(len(a.Raw), 300)])
	}
	var ok bool
	if p.size, ok = a.Body["responseSize"].(float64); !ok {
		t.Fatalf("no responseSize: %.300s", a.Raw)
	}
	return p
}

// listAllUsers follows nextPageToken and returns the userNames and the pages' sizes.
func listAllUsers(t *testing.T, env *backendtest.Env, query url.Values) ([]string, []int) {
	t.Helper()
	var names []string
	var sizes []int
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for range 10_000 {
		p := listUsersPage(t, env, q)
		names = append(names, p.names...)
		sizes = append(sizes, len(p.names))
		if p.next == "" {
			return names, sizes
		}
		q.Set("nextPageToken", p.next)
	}
	t.Fatal("the listing did not end")
	return nil, nil
}

func TestAdminUsersPagedByDefault(t *testing.T) {
	env := backendtest.Start(t)
	env.SetupSCIM(t, "okta", "big.example.com")
	importUsers(t, env, "big.example.com", 0, 1001)

	first := listUsersPage(t, env, nil)
	if len(first.names) != 1000 || first.next == "" || first.size != 1001 {
		t.Fatalf("first page: %d users, token %q, responseSize %v; want 1000, a token, 1001", len(first.names), first.next, first.size)
	}
	second := listUsersPage(t, env, url.Values{"nextPageToken": {first.next}})
	if len(second.names) != 1 || second.names[0] != "user1000@big.example.com" || second.next != "" || second.size != 1001 {
		t.Fatalf("second page: %v, token %q, responseSize %v", second.names, second.next, second.size)
	}
	// The largest page size is the default.
	if p := listUsersPage(t, env, url.Values{"pageSize": {"1000"}}); len(p.names) != 1000 {
		t.Fatalf("pageSize=1000: %d users", len(p.names))
	}
}

func TestAdminUsersPaging(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "a.example.com", "b.example.com")
	importUsers(t, env, "a.example.com", 0, 7)
	importUsers(t, env, "b.example.com", 7, 3)

	names, sizes := listAllUsers(t, env, url.Values{"pageSize": {"3"}})
	if fmt.Sprint(sizes) != "[3 3 3 1]" || len(names) != 10 {
		t.Fatalf("page sizes %v, names %v", sizes, names)
	}
	for i, n := range names {
		if want := fmt.Sprintf("user%d@", i); !strings.HasPrefix(n, want) {
			t.Fatalf("user %d is %s: not in creation order (%v)", i, n, names)
		}
	}

	// Without pageSize, one page holds them all.
	if all := listUsersPage(t, env, nil); len(all.names) != 10 || all.next != "" || all.size != 10 {
		t.Fatalf("unpaged: %d users, token %q, responseSize %v", len(all.names), all.next, all.size)
	}

	// Filters hold across pages, and responseSize counts the matches.
	if names, sizes := listAllUsers(t, env, url.Values{"pageSize": {"3"}, "domain": {"a.example.com"}}); fmt.Sprint(sizes) != "[3 3 1]" ||
		strings.Join(names, " ") != "user0@a.example.com user1@a.example.com user2@a.example.com user3@a.example.com user4@a.example.com user5@a.example.com user6@a.example.com" {
		t.Fatalf("a.example.com: page sizes %v, names %v", sizes, names)
	}
	q := url.Values{"pageSize": {"2"}, "userType": {"External"}, "domain": {"A.example.com"}}
	p := listUsersPage(t, env, q)
	if p.size != 3 || fmt.Sprint(p.names) != "[user1@a.example.com user3@a.example.com]" {
		t.Fatalf("External in a.example.com, first page: %v, responseSize %v", p.names, p.size)
	}
	q.Set("nextPageToken", p.next)
	if p := listUsersPage(t, env, q); fmt.Sprint(p.names) != "[user5@a.example.com]" || p.next != "" || p.size != 3 {
		t.Fatalf("second page: %v, token %q, responseSize %v", p.names, p.next, p.size)
	}

	// A listing stays whole while users come and go: a user deleted before
	// its page is not shown, one created during the listing is on a later
	// page, nobody is shown twice.
	first := listUsersPage(t, env, url.Values{"pageSize": {"4"}})
	var deleteID string
	for _, u := range adminCall(t, env, "GET", "/users?domain=b.example.com", "").Data(t) {
		if u["userName"] == "user8@b.example.com" {
			deleteID = u["id"].(string)
		}
	}
	scimDo(t, sc, "DELETE", "/Users/"+deleteID, "").Want(t, 204)
	createUser(t, sc, oktaUser("late@a.example.com", "Late", "Comer"))
	rest, _ := listAllUsers(t, env, url.Values{"pageSize": {"4"}, "nextPageToken": {first.next}})
	got := strings.Join(append(first.names, rest...), " ")
	if strings.Contains(got, "user8@") || !strings.HasSuffix(got, "user9@b.example.com late@a.example.com") || strings.Count(got, "@") != 10 {
		t.Fatalf("listing across changes: %s", got)
	}
}

func TestAdminUsersPagingBadInput(t *testing.T) {
	env := backendtest.Start(t)
	env.SetupSCIM(t, "okta", "a.example.com")
	importUsers(t, env, "a.example.com", 0, 5)
	for _, q := range []string{"pageSize=0", "pageSize=-1", "pageSize=1001", "pageSize=ten", "pageSize=x", "pageSize=2.5",
		"nextPageToken=3", "pageSize=2&nextPageToken=-1", "pageSize=2&nextPageToken=abc"} {
		adminCall(t, env, "GET", "/users?"+q, "").WantV4Error(t, 400, "invalid_parameter")
	}
	p := listUsersPage(t, env, url.Values{"pageSize": {"2"}, "active": {"true"}})
	// A token is only good with the filters it was issued for.
	for _, q := range []string{"", "&active=false", "&active=true&userType=Regular", "&active=true&domain=a.example.com"} {
		a := adminCall(t, env, "GET", "/users?pageSize=2&nextPageToken="+url.QueryEscape(p.next)+q, "")
		a.WantV4Error(t, 400, "invalid_parameter")
		if !strings.Contains(a.Body["errorDescription"].(string), "other filters") {
			t.Fatalf("error for a token with other filters: %s", a.Raw)
		}
	}
	if a := listUsersPage(t, env, url.Values{"pageSize": {"3"}, "active": {"true"}, "nextPageToken": {p.next}}); len(a.names) != 3 {
		t.Fatalf("the same filters with another page size: %v", a.names)
	}
	for _, tok := range []string{"x", "dTEuMS4xLjE", p.next + "A", strings.ToLower(p.next), "////"} {
		a := adminCall(t, env, "GET", "/users?active=true&nextPageToken="+url.QueryEscape(tok), "")
		a.WantV4Error(t, 400, "invalid_parameter")
	}
}

func TestImportUsers(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "a.example.com")
	w := env.Backend.Wrike
	ctx := context.Background()
	body := func(name string) []byte { return []byte(oktaUser(name, "G", "F")) }

	// The second batch holds a user outside the approved domains: the first batch is kept, nothing after it.
	names := []string{"u0@a.example.com", "u1@a.example.com", "u2@evil.example.net", "u3@a.example.com", "u4@a.example.com"}
	n, err := w.ImportUsers(ctx, "okta", len(names), 2, func(i int) []byte { return body(names[i]) })
	if n != 2 || err == nil || !strings.Contains(err.Error(), "evil.example.net") {
		t.Fatalf("import with a bad user: %d stored, %v", n, err)
	}
	// A userName taken, in any case, refuses its batch.
	n, err = w.ImportUsers(ctx, "okta", 2, 2, func(i int) []byte { return body([]string{"u5@a.example.com", "U0@A.example.com"}[i]) })
	if n != 0 || err == nil {
		t.Fatalf("import of a taken userName: %d stored, %v", n, err)
	}
	// Twice the same userName in one batch.
	n, err = w.ImportUsers(ctx, "okta", 2, 2, func(int) []byte { return body("twice@a.example.com") })
	if n != 0 || err == nil {
		t.Fatalf("import of one userName twice: %d stored, %v", n, err)
	}
	if _, err := w.ImportUsers(ctx, "google", 1, 1, func(int) []byte { return body("x@a.example.com") }); err == nil {
		t.Fatal("import for an unknown identity provider succeeded")
	}

	check := func() {
		t.Helper()
		names, _ := listAllUsers(t, env, nil)
		if fmt.Sprint(names) != "[u0@a.example.com u1@a.example.com]" {
			t.Fatalf("users = %v", names)
		}
		r := scimDo(t, sc, "GET", filterQuery(`userName eq "U1@a.example.com"`), "").Want(t, 200)
		if r["totalResults"] != float64(1) || get(r, "Resources/0/name/givenName") != "G" || get(r, "Resources/0/"+wrikeExt+"/userType") != "Regular" {
			t.Fatalf("imported user over SCIM: %v", r)
		}
	}
	check()
	restart(t, env, &sc)
	check()
}
