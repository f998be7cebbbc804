package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeBackend answers the few calls the demo makes, in the shapes of DESIGN.md, and records
// what the demo asked.
type fakeBackend struct {
	mu          sync.Mutex
	deactivated []string
	logsFilter  string
}

func (f *fakeBackend) start(t *testing.T) *client {
	t.Helper()
	wrike := http.NewServeMux()
	wrike.HandleFunc("GET /api/v4/users", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer wrka_admin" {
			http.Error(w, `{"error":"not_authorized","errorDescription":"bad token"}`, http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"kind":"users","data":[
			{"id":"U1","userName":"ada@acme.example.com","firstName":"Ada","lastName":"Lovelace","email":"ada@acme.example.com","title":"Engineer","department":"R&D","organization":"Acme","phone":"+1 555 0100","userType":"External","active":true,"billable":true},
			{"id":"U2","userName":"old@acme.example.com","firstName":"Old","lastName":"Timer","email":"old@acme.example.com","userType":"Regular","active":false,"billable":false},
			{"id":"U3","userName":"bob@acme.example.com","firstName":"Bob","lastName":"Smith","email":"bob@acme.example.com","userType":"Regular","active":true,"billable":true}]}`))
	})
	wrike.HandleFunc("GET /api/v4/account", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"kind":"accounts","data":[{"id":"A1","name":"Acme","billableSeats":2,"activeMembers":2,"deactivatedMembers":1}]}`))
	})
	okta := http.NewServeMux()
	okta.HandleFunc("GET /api/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.logsFilter = r.URL.Query().Get("filter")
		f.mu.Unlock()
		_, _ = w.Write([]byte(`[
			{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":"first try"},"target":[{"type":"User","alternateId":"eve@partner.example.net"},{"type":"AppInstance","alternateId":"Wrike"}]},
			{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":"domain partner.example.net is not approved"},"target":[{"type":"User","alternateId":"mallory@partner.example.net"}]},
			{"eventType":"application.provision.user.push","outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"ada@acme.example.com"}]},
			{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":"domain partner.example.net is not approved"},"target":[{"type":"User","alternateId":"eve@partner.example.net"}]},
			{"eventType":"application.provision.connection.test","outcome":{"result":"FAILURE","reason":"HTTP 401: token rejected"},"debugContext":{"debugData":{"baseUrl":"http://w/scim/okta/v2"}}},
			{"eventType":"application.provision.connection.test","outcome":{"result":"SUCCESS"},"debugContext":{"debugData":{"baseUrl":"http://w/scim/okta/v2"}}}]`))
	})
	okta.HandleFunc("POST /api/v1/users/{id}/lifecycle/deactivate", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "SSWS 00okta" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.deactivated = append(f.deactivated, r.PathValue("id"))
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	})
	okta.HandleFunc("GET /api/v1/_backend/provisioning/wait", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGatewayTimeout)
		_, _ = w.Write([]byte(`{"pending":3,"failed":0}`))
	})
	loginLink := func(auth string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != auth {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"url":"http://` + r.Host + `/console/login/nonce"}`))
		}
	}
	wrike.HandleFunc("POST /console/login-links", loginLink("Bearer wrka_admin"))
	okta.HandleFunc("POST /console/login-links", loginLink("SSWS 00okta"))
	ws := httptest.NewServer(wrike)
	oktaSrv := httptest.NewServer(okta)
	t.Cleanup(ws.Close)
	t.Cleanup(oktaSrv.Close)
	t.Setenv("WRIKE_URL", ws.URL)
	t.Setenv("WRIKE_TOKEN", "wrka_admin")
	t.Setenv("OKTA_ORG_URL", oktaSrv.URL)
	t.Setenv("OKTA_API_TOKEN", "00okta")
	c, err := clientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUsersTableShowsSyncedAttributesAndUserType(t *testing.T) {
	c := (&fakeBackend{}).start(t)
	users, err := c.users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printUsers(&out, users)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 users, got:\n%s", out.String())
	}
	for _, want := range []string{"ada@acme.example.com", "Ada Lovelace", "Engineer", "R&D", "Acme", "+1 555 0100", "External", "yes"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("ada's line %q lacks %q", lines[1], want)
		}
	}
	if !strings.HasPrefix(lines[2], "bob@") || !strings.HasPrefix(lines[3], "old@") {
		t.Errorf("users are not listed by user name:\n%s", out.String())
	}
	if f := strings.Fields(lines[3]); len(f) < 3 || f[len(f)-3] != "Regular" || f[len(f)-2] != "no" || f[len(f)-1] != "no" {
		t.Errorf("the deactivated user should read inactive and not billable: %q", lines[3])
	}
}

func TestRefusalsOneLinePerUserWithTheLatestReason(t *testing.T) {
	f := &fakeBackend{}
	c := f.start(t)
	refusals, err := c.refusals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.logsFilter != `outcome.result eq "FAILURE"` {
		t.Errorf("System Log filter = %q", f.logsFilter)
	}
	want := []refusal{
		{Login: "eve@partner.example.net", Event: "application.provision.user.push", Reason: "domain partner.example.net is not approved"},
		{Login: "mallory@partner.example.net", Event: "application.provision.user.push", Reason: "domain partner.example.net is not approved"},
	}
	if len(refusals) != len(want) {
		t.Fatalf("refusals = %+v, want %+v", refusals, want)
	}
	for i := range want {
		if refusals[i] != want[i] {
			t.Errorf("refusal %d = %+v, want %+v", i, refusals[i], want[i])
		}
	}
	// Printed, each refusal is followed by what the System Log and its event type are.
	var out bytes.Buffer
	printRefusals(&out, refusals)
	for _, line := range []string{"eve@partner.example.net\n    application.provision.user.push: domain partner.example.net is not approved\n",
		systemLogLegend + "\n", "  (application.provision.user.push: " + eventLegend["application.provision.user.push"] + ")\n"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the refusals lack %q:\n%s", line, out.String())
		}
	}
}

func TestDeactivateOnePicksAnActiveRegularUser(t *testing.T) {
	f := &fakeBackend{}
	c := f.start(t)
	login, err := c.deactivateOne(context.Background(), `{"old@acme.example.com":"00u2","bob@acme.example.com":"00u3","ada@acme.example.com":"00u1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if login != "bob@acme.example.com" || len(f.deactivated) != 1 || f.deactivated[0] != "00u3" {
		t.Errorf("deactivated %q (Okta ids %v), want bob@acme.example.com (00u3): the only active Regular user", login, f.deactivated)
	}
	if _, err := c.deactivateOne(context.Background(), `not json`); err == nil {
		t.Error("a malformed TF_VAR_okta_users was accepted")
	}
}

func TestSeatsAndProvisioningTimeout(t *testing.T) {
	c := (&fakeBackend{}).start(t)
	acct, err := c.account(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printAccount(&out, acct)
	if !strings.Contains(out.String(), "billable seats: 2") {
		t.Errorf("seats line = %q", out.String())
	}
	err = c.waitProvisioning(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), "still busy") || !strings.Contains(err.Error(), `"pending":3`) {
		t.Errorf("a 504 from the wait endpoint should say provisioning is still busy with the counts, got %v", err)
	}
}

func TestErrorsNeverCarryTokens(t *testing.T) {
	(&fakeBackend{}).start(t)
	t.Setenv("WRIKE_TOKEN", "wrka_secret_value")
	c, err := clientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.users(context.Background())
	if err == nil {
		t.Fatal("a wrong token was accepted")
	}
	if strings.Contains(err.Error(), "wrka_secret_value") {
		t.Errorf("error leaks the token: %v", err)
	}
}

func TestMissingEnvironmentIsNamed(t *testing.T) {
	for _, k := range []string{"WRIKE_URL", "WRIKE_TOKEN", "OKTA_ORG_URL", "OKTA_API_TOKEN"} {
		t.Setenv(k, "")
	}
	t.Setenv("WRIKE_URL", "http://127.0.0.1:1")
	_, err := clientFromEnv()
	if err == nil || !strings.Contains(err.Error(), "OKTA_API_TOKEN, OKTA_ORG_URL, WRIKE_TOKEN not set") {
		t.Errorf("err = %v", err)
	}
}

func TestPortFreeRefusesABusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	err = portsFree([]string{l.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("busy port: err = %v", err)
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	_ = free.Close()
	if err := portsFree([]string{addr}); err != nil {
		t.Errorf("free port refused: %v", err)
	}
}

func TestReadyNeedsTheFileAndAnswers(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "dev.env")
	if err := ready(context.Background(), file, []string{srv.URL}); err == nil {
		t.Error("ready before dev.env exists")
	}
	if err := os.WriteFile(file, []byte("export X=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ready(context.Background(), file, []string{srv.URL}); err != nil {
		t.Errorf("a 404 still means the listener answers: %v", err)
	}
	if err := ready(context.Background(), file, []string{"http://127.0.0.1:1/"}); err == nil {
		t.Error("ready while a URL does not answer")
	}
}

func TestConsoleLinksOnePerFace(t *testing.T) {
	c := (&fakeBackend{}).start(t)
	var out bytes.Buffer
	if err := c.consoleLinks(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Wrike console: " + os.Getenv("WRIKE_URL") + "/console/\n  sign in once with: " + os.Getenv("WRIKE_URL") + "/console/login/nonce\n",
		"Okta console: " + os.Getenv("OKTA_ORG_URL") + "/console/\n  sign in once with: " + os.Getenv("OKTA_ORG_URL") + "/console/login/nonce\n",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "wrka_admin") || strings.Contains(got, "00okta") {
		t.Fatalf("a token is printed: %q", got)
	}
}

func TestCredentialTestsShowEachOutcome(t *testing.T) {
	c := (&fakeBackend{}).start(t)
	tests, err := c.credentialTests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printCredentialTests(&out, tests)
	want := "Test API Credentials against http://w/scim/okta/v2: FAILURE (HTTP 401: token rejected)\n" +
		"Test API Credentials against http://w/scim/okta/v2: SUCCESS\n" + credentialsLegend + "\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

// token-shown-once prints a third of the token at most (ten characters), its length, and where
// it lives now; a state without a token is an error, as is input that is not show -json.
func TestTokenShownOnceShowsOnlyItsStart(t *testing.T) {
	tok := "wrk4_" + strings.Repeat("Ab3", 14)
	state := `{"values":{"root_module":{"resources":[{"type":"wrike_scim_integration","values":{}},
		{"type":"wrike_api_token","values":{"app_name":"Okta SCIM provisioning","token":"` + tok + `"}}]}}}`
	var out strings.Builder
	if err := tokenShownOnce(strings.NewReader(state), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `API app "Okta SCIM provisioning" once, in its answer to terraform apply: wrk4_Ab3Ab… (47 characters`) ||
		!strings.Contains(out.String(), "lives only in Terraform's state") || strings.Contains(out.String(), tok[:11]) {
		t.Fatalf("%s", out.String())
	}
	short := strings.ReplaceAll(state, tok, "wrk4_abcdef")
	out.Reset()
	if err := tokenShownOnce(strings.NewReader(short), &out); err != nil || strings.Contains(out.String(), "wrk4_") {
		t.Fatalf("a short token shows more than a third of itself: %v %s", err, out.String())
	}
	for _, in := range []string{`{"values":{"root_module":{"resources":[]}}}`, "not json"} {
		if err := tokenShownOnce(strings.NewReader(in), &out); err == nil {
			t.Errorf("%s: want an error", in)
		}
	}
}
