package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestDevSeedsDemoOrgAndWritesDevEnv(t *testing.T) {
	dir := t.TempDir()
	out, _, stop := start(t, dir, "--dev")
	path := filepath.Join(dir, "dev.env")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("dev.env: %v\n%s", err, out.String())
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("dev.env mode %v, want 0600", info.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		env[k] = strings.Trim(v, "'")
	}
	for _, k := range []string{"WRIKE_URL", "WRIKE_TOKEN", "OKTA_ORG_URL", "OKTA_API_TOKEN", "TF_VAR_okta_app_id", "TF_VAR_okta_groups", "TF_VAR_okta_users"} {
		if env[k] == "" {
			t.Fatalf("dev.env lacks %s:\n%s", k, raw)
		}
	}
	var groups, users map[string]string
	if err := json.Unmarshal([]byte(env["TF_VAR_okta_groups"]), &groups); err != nil || len(groups) != 2 || groups["Engineering"] == "" {
		t.Fatalf("groups %v: %v", groups, err)
	}
	if err := json.Unmarshal([]byte(env["TF_VAR_okta_users"]), &users); err != nil || len(users) != 12 {
		t.Fatalf("users %v: %v", users, err)
	}
	if !strings.Contains(out.String(), env["OKTA_API_TOKEN"]) {
		t.Fatal("the Okta API token was not printed")
	}

	var members []struct {
		Profile map[string]string `json:"profile"`
	}
	if code := oktaGet(t, env, "/api/v1/groups/"+groups["Engineering"]+"/users", &members); code != 200 || len(members) != 7 {
		t.Fatalf("Engineering: %d, %d members", code, len(members))
	}
	partners := 0
	for _, m := range members {
		for _, k := range []string{"login", "email", "firstName", "lastName", "title", "primaryPhone", "organization", "department"} {
			if m.Profile[k] == "" {
				t.Fatalf("%s lacks %s", m.Profile["login"], k)
			}
		}
		if strings.HasSuffix(m.Profile["login"], "@partner.example.net") {
			partners++
		}
	}
	if partners != 1 {
		t.Fatalf("%d partner users in Engineering, want 1", partners)
	}
	var app struct{ Label string }
	if code := oktaGet(t, env, "/api/v1/apps/"+env["TF_VAR_okta_app_id"], &app); code != 200 || app.Label != "Wrike" {
		t.Fatalf("app: %d %+v", code, app)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// A second start keeps the org and dev.env as they are.
	out, _, stop = start(t, dir, "--dev")
	defer func() { _ = stop() }()
	if !regexp.MustCompile(`already seeded \(Wrike app ` + env["TF_VAR_okta_app_id"]).MatchString(out.String()) {
		t.Fatalf("second start:\n%s", out.String())
	}
	if raw2, _ := os.ReadFile(path); string(raw2) != string(raw) {
		t.Fatal("dev.env changed on the second start")
	}
}

// readEnvFile reads dev.env's export lines into a map.
// oktaGet is the status of a GET of path on the Okta face dev.env names,
// with its API token; out, when not nil, receives the decoded body.
func oktaGet(t *testing.T, env map[string]string, path string, out any) int {
	t.Helper()
	a := backendtest.Send(nil, http.MethodGet, env["OKTA_ORG_URL"]+path, nil, "Authorization", "SSWS "+env["OKTA_API_TOKEN"]).Sent(t)
	if out != nil {
		_ = json.Unmarshal([]byte(a.Raw), out)
	}
	return a.Status
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		env[k] = strings.Trim(v, "'")
	}
	return env
}

// --okta-seed seeds the file's org with the file's ids (made-up ones where it gives none): the
// app, the groups with their members, the people with their profiles; dev.env names them, and
// a second start keeps them.
func TestOktaSeedFileKeepsItsIds(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(t.TempDir(), "org.json")
	org := `{"app": {"id": "0oa9wrikeapp0000x697", "label": "Wrike (prod)"},
	  "groups": [{"id": "00g1design000000x697", "name": "Design", "description": "Designers"}, {"name": "Support"}],
	  "users": [
	    {"id": "00u1mara0000000x697", "groups": ["Design", "Support"], "profile": {"login": "mara@acme.example.com", "email": "mara@acme.example.com", "firstName": "Mara", "lastName": "Holt", "title": "Lead"}},
	    {"groups": ["Support"], "profile": {"login": "olga@acme.example.com", "email": "olga@acme.example.com", "firstName": "Olga", "lastName": "Ruiz"}},
	    {"id": "00u1paul0000000x697", "profile": {"login": "paul@acme.example.com", "email": "paul@acme.example.com", "firstName": "Paul", "lastName": "Finch"}}]}`
	if err := os.WriteFile(seed, []byte(org), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, stop := start(t, dir, "--dev", "--okta-seed", seed)
	if !strings.Contains(out.String(), "Okta org from the seed file seeded: Wrike app 0oa9wrikeapp0000x697, 2 groups, 3 users") {
		t.Fatalf("start:\n%s", out.String())
	}
	path := filepath.Join(dir, "dev.env")
	env := readEnvFile(t, path)
	var groups, users map[string]string
	if err := json.Unmarshal([]byte(env["TF_VAR_okta_groups"]), &groups); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(env["TF_VAR_okta_users"]), &users); err != nil {
		t.Fatal(err)
	}
	if env["TF_VAR_okta_app_id"] != "0oa9wrikeapp0000x697" || groups["Design"] != "00g1design000000x697" ||
		!strings.HasPrefix(groups["Support"], "00g") || users["mara@acme.example.com"] != "00u1mara0000000x697" ||
		!strings.HasPrefix(users["olga@acme.example.com"], "00u") || users["paul@acme.example.com"] != "00u1paul0000000x697" {
		t.Fatalf("dev.env: %v %v %v", env["TF_VAR_okta_app_id"], groups, users)
	}
	members := func(group string) []string {
		var list []struct {
			ID      string            `json:"id"`
			Profile map[string]string `json:"profile"`
		}
		if code := oktaGet(t, env, "/api/v1/groups/"+group+"/users", &list); code != 200 {
			t.Fatalf("members of %s: %d", group, code)
		}
		var logins []string
		for _, m := range list {
			logins = append(logins, m.Profile["login"]+"="+m.ID)
		}
		sort.Strings(logins)
		return logins
	}
	if got := members(groups["Design"]); strings.Join(got, " ") != "mara@acme.example.com=00u1mara0000000x697" {
		t.Errorf("Design: %v", got)
	}
	if got := members(groups["Support"]); len(got) != 2 {
		t.Errorf("Support: %v", got)
	}
	var app struct{ ID, Label string }
	if code := oktaGet(t, env, "/api/v1/apps/0oa9wrikeapp0000x697", &app); code != 200 || app.Label != "Wrike (prod)" {
		t.Errorf("app: %d %+v", code, app)
	}
	var mara struct{ Profile map[string]string }
	if code := oktaGet(t, env, "/api/v1/users/00u1mara0000000x697", &mara); code != 200 || mara.Profile["title"] != "Lead" {
		t.Errorf("mara: %d %+v", code, mara)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	out, _, stop = start(t, dir, "--dev", "--okta-seed", seed)
	defer func() { _ = stop() }()
	if !strings.Contains(out.String(), "Okta org from the seed file already seeded (Wrike app 0oa9wrikeapp0000x697)") {
		t.Fatalf("second start:\n%s", out.String())
	}
	if again := readEnvFile(t, path); again["TF_VAR_okta_users"] != env["TF_VAR_okta_users"] {
		t.Fatal("dev.env changed on the second start")
	}
}

// A bad seed file stops the start before any port is bound, with every problem named; so does
// --okta-seed without --dev, or a file that is not there.
func TestOktaSeedFileRefused(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "org.json")
	if err := os.WriteFile(seed, []byte(`{"app": {}, "groups": [{"name": "Everyone"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dev", "--okta-seed", seed}, "--okta-seed " + seed + ": 2 problem(s):\n  app.id: required"},
		{[]string{"--dev", "--okta-seed", seed}, "groups[0] Everyone: name: Everyone is Okta's built-in group"},
		{[]string{"--okta-seed", seed}, "--okta-seed needs --dev"},
		{[]string{"--dev", "--okta-seed", seed + ".missing"}, "--okta-seed: open " + seed + ".missing: no such file"},
	} {
		dir := t.TempDir()
		var out, errOut strings.Builder
		err := run(t.Context(), append([]string{"--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0", "--data-dir", dir}, tc.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want an error saying %q, got %v", tc.args, tc.want, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%v: the data directory was touched: %v", tc.args, entries)
		}
	}
}
