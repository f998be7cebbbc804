package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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

	get := func(path string, out any) int {
		req, _ := http.NewRequest(http.MethodGet, env["OKTA_ORG_URL"]+path, nil)
		req.Header.Set("Authorization", "SSWS "+env["OKTA_API_TOKEN"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	var members []struct {
		Profile map[string]string `json:"profile"`
	}
	if code := get("/api/v1/groups/"+groups["Engineering"]+"/users", &members); code != 200 || len(members) != 7 {
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
	if code := get("/api/v1/apps/"+env["TF_VAR_okta_app_id"], &app); code != 200 || app.Label != "Wrike" {
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
