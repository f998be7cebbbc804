package okta_test

import (
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

const goodOrg = `{
  "app": {"id": "0oa9wrikeapp0000x697"},
  "groups": [{"id": "00g1design000000x697", "name": "Design"}, {"name": "Support"}],
  "users": [
    {"id": "00u1mara0000000x697", "groups": ["Design"], "profile": {"login": "mara@acme.example.com", "email": "mara@acme.example.com", "firstName": "Mara", "lastName": "Holt"}},
    {"groups": ["support", "Design"], "profile": {"login": "olga@acme.example.com", "email": "olga@acme.example.com", "firstName": "Olga", "lastName": "Ruiz", "title": "Agent"}}
  ]
}`

func TestParseOrgAcceptsAnOrg(t *testing.T) {
	org, err := okta.ParseOrg(strings.NewReader(goodOrg))
	if err != nil {
		t.Fatal(err)
	}
	if org.App.Label != "Wrike" || len(org.Groups) != 2 || len(org.Users) != 2 || org.Users[1].Profile["title"] != "Agent" {
		t.Fatalf("%+v", org)
	}
}

// Each broken file is refused with every problem named, and where it is; nothing is seeded.
func TestParseOrgNamesEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"not JSON", "{\n  \"app\": {\"id\": \"0oa1\"},\n  oops\n}", []string{"line 3: not JSON"}},
		{"wrong type", `{"app": {"id": "0oa9wrikeapp0000x697"}, "users": {"login": "a"}}`, []string{"line 1: users: want a JSON array, got object"}},
		{"unknown field", `{"app": {"id": "0oa9wrikeapp0000x697"}, "people": []}`, []string{`unknown field "people"`}},
		{"two values", `{"app": {"id": "0oa9wrikeapp0000x697"}} {}`, []string{"more than one JSON value"}},
		{"no app id", `{"groups": []}`, []string{"app.id: required"}},
		{"ids of the wrong kind", `{"app": {"id": "00g9wrikeapp0000x697"}, "groups": [{"id": "0oa1design000000x697", "name": "D"}],
			"users": [{"id": "00u-x", "profile": {"login": "a@b.example", "email": "a@b.example", "firstName": "A", "lastName": "B"}}]}`,
			[]string{`app: id "00g9wrikeapp0000x697": want Okta's form, 0oa`, `groups[0] D: id "0oa1design000000x697": want Okta's form, 00g`, `users[0] a@b.example: id "00u-x"`}},
		{"same id twice", `{"app": {"id": "0oa9wrikeapp0000x697"}, "groups": [{"id": "00g1design000000x697", "name": "D"}, {"id": "00g1design000000x697", "name": "E"}]}`,
			[]string{"groups[1] E: id 00g1design000000x697 is also groups[0] D's"}},
		{"group names", `{"app": {"id": "0oa9wrikeapp0000x697"}, "groups": [{"name": "Design"}, {"name": "design"}, {"name": "Everyone"}, {"name": " "}]}`,
			[]string{"groups[1] design: name: another group has this name", "groups[2] Everyone: name: Everyone is Okta's built-in group", "groups[3]  : name: required"}},
		{"profiles", `{"app": {"id": "0oa9wrikeapp0000x697"}, "groups": [{"name": "Design"}], "users": [
			{"profile": {"login": "tess@contractor", "email": "tess@acme.example.com", "firstName": "Tess", "lastName": "Vo", "shoeSize": "9"}},
			{"profile": {"login": "ann@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann"}, "groups": ["Finance"]},
			{"profile": {"login": "ANN@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann", "lastName": "Lee"}},
			{"profile": {"login": "bo@acme.example.com", "email": "bo@acme.example.com", "firstName": "Bo", "lastName": 7}}]}`,
			[]string{"line 5: users.profile: want a JSON string, got number"}},
		{"profiles, each problem", `{"app": {"id": "0oa9wrikeapp0000x697"}, "groups": [{"name": "Design"}], "users": [
			{"profile": {"login": "tess@contractor", "email": "tess@acme.example.com", "firstName": "Tess", "lastName": "Vo", "shoeSize": "9"}},
			{"profile": {"login": "ann@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann"}, "groups": ["Finance"]},
			{"profile": {"login": "ANN@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann", "lastName": "Lee"}}]}`,
			[]string{"5 problem(s)", "users[0] tess@contractor: profile.shoeSize: Property name 'shoeSize' is not defined",
				"users[0] tess@contractor: login: Does not match required pattern (an email address)",
				"users[1] ann@acme.example.com: lastName: The field cannot be left blank",
				`users[1] ann@acme.example.com: groups: "Finance" is not among the file's groups`,
				"users[2] ANN@acme.example.com: login: users[1] ann@acme.example.com has the same login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := okta.ParseOrg(strings.NewReader(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// A file past the bound is refused, one person past it.
func TestParseOrgBoundsTheUsers(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"app": {"id": "0oa9wrikeapp0000x697"}, "users": [`)
	for i := range 10001 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"profile": {}}`)
	}
	b.WriteString("]}")
	_, err := okta.ParseOrg(strings.NewReader(b.String()))
	if err == nil || !strings.Contains(err.Error(), "users: 10001 people; a seed file holds at most 10000") {
		t.Fatalf("%v", err)
	}
	// Every empty profile is a problem too; the error lists the first 20 and counts the rest.
	if lines := strings.Count(err.Error(), "\n"); lines != 21 || !strings.HasSuffix(err.Error(), "and 39985 more") {
		t.Fatalf("%d lines, ending %q", lines, err.Error()[max(0, len(err.Error())-40):])
	}
}

// ?expand=stats embeds each group's member count, as Okta does; without it there is none.
func TestGroupsExpandStats(t *testing.T) {
	o := newEmptyOrg(t)
	a, b := o.user(person("ann@acme.example.com")), o.user(person("ben@acme.example.com"))
	design := o.group("Design", a, b)
	empty := o.group("Empty")
	var groups []struct {
		ID       string
		Profile  struct{ Name string }
		Embedded *struct {
			Stats struct{ UsersCount int }
		} `json:"_embedded"`
	}
	o.call(200, "GET", "/api/v1/groups?expand=stats&limit=10", nil, &groups)
	counts := map[string]int{}
	for _, g := range groups {
		if g.Embedded == nil {
			t.Fatalf("group %s has no _embedded.stats", g.Profile.Name)
		}
		counts[g.ID] = g.Embedded.Stats.UsersCount
	}
	if counts[design] != 2 || counts[empty] != 0 || len(counts) != 3 {
		t.Fatalf("member counts %v (Design %s, Empty %s, and Everyone)", counts, design, empty)
	}
	groups = nil
	o.call(200, "GET", "/api/v1/groups", nil, &groups)
	for _, g := range groups {
		if g.Embedded != nil {
			t.Fatalf("group %s has _embedded without expand=stats", g.Profile.Name)
		}
	}
}
