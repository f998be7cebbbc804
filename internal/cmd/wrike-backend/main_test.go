package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the binary's main loop until the returned stop is called.
func start(t *testing.T, dataDir string, extra ...string) (out *syncBuffer, url string, stop func() error) {
	t.Helper()
	return startLogging(t, dataDir, io.Discard, extra...)
}

// startLogging is start with the log written to stderr.
func startLogging(t *testing.T, dataDir string, stderr io.Writer, extra ...string) (out *syncBuffer, url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		args := []string{"--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn"}
		errc <- run(ctx, append(args, extra...), out, stderr)
	}()
	re := regexp.MustCompile(`(?s)Wrike face: (http://127\.0\.0\.1:\d+).*Okta face: `)
	if slices.Contains(extra, "--dev") {
		re = regexp.MustCompile(`(?s)Wrike face: (http://127\.0\.0\.1:\d+).*(written to|already seeded)`)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("backend exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend did not start: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, url, func() error { cancel(); return <-errc }
}

// savedTokens reads <dataDir>/tokens.env, which must exist with mode 0600.
func savedTokens(t *testing.T, dataDir string) backend.Tokens {
	t.Helper()
	info, err := os.Stat(filepath.Join(dataDir, backend.TokensFile))
	if err != nil {
		t.Fatalf("tokens file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("tokens file mode %v, want 0600", info.Mode().Perm())
	}
	tok, err := backend.LoadTokens(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// oktaStatus is the status of GET /api/v1/users with an Okta API token.
func oktaStatus(t *testing.T, oktaURL, token string) int {
	t.Helper()
	return backendtest.Send(nil, http.MethodGet, oktaURL+"/api/v1/users", nil, "Authorization", "SSWS "+token).Sent(t).Status
}

// oktaURL is the Okta face's URL from the start's output.
func oktaURL(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`Okta face: (http://\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no Okta face URL in:\n%s", out)
	}
	return m[1]
}

// TestFirstStartShowsTokensOnce: the first start prints the Wrike admin
// token and the Okta API token and keeps them in tokens.env (0600); both
// work; the next start prints no token and leaves the file as it was. The
// data directory, created 0755 beforehand, is 0700 and the database files
// 0600.
func TestFirstStartShowsTokensOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, url, stop := start(t, dir)
	want := map[string]os.FileMode{dir: 0o700}
	for _, f := range []string{"wrike-backend.db", "wrike-backend.db-wal", "wrike-backend.db-shm"} {
		want[filepath.Join(dir, f)] = 0o600
	}
	for path, mode := range want {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Fatalf("%s: mode %v, want %v", path, info.Mode().Perm(), mode)
		}
	}
	tok := savedTokens(t, dir)
	if tok.WrikeAdmin == "" || tok.OktaAPI == "" {
		t.Fatalf("tokens file lacks a token: %+v", tok)
	}
	for _, s := range []string{tok.WrikeAdmin, tok.OktaAPI} {
		if !strings.Contains(out.String(), "(shown once, keep it): "+s+"\n") {
			t.Fatalf("token %.8s... not printed:\n%s", s, out.String())
		}
	}
	if got := adminStatus(t, url, tok.WrikeAdmin); got != http.StatusOK {
		t.Fatalf("printed admin token: %d", got)
	}
	if got := oktaStatus(t, oktaURL(t, out.String()), tok.OktaAPI); got != http.StatusOK {
		t.Fatalf("printed Okta API token: %d", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	out, url, stop = start(t, dir)
	defer func() { _ = stop() }()
	if strings.Contains(out.String(), "token") {
		t.Fatalf("second start printed a token again:\n%s", out.String())
	}
	if savedTokens(t, dir) != tok {
		t.Fatal("the second start changed tokens.env")
	}
	if got := adminStatus(t, url, tok.WrikeAdmin); got != http.StatusOK {
		t.Fatalf("token from the first start refused after restart: %d", got)
	}
}

// TestListenFailureMintsNothing: a first start whose Okta port is taken
// fails and mints no token, so the next start mints and shows both.
func TestListenFailureMintsNothing(t *testing.T) {
	dir := t.TempDir()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	out := &syncBuffer{}
	err = run(context.Background(), []string{"--wrike-addr", "127.0.0.1:0", "--okta-addr", taken.Addr().String(), "--data-dir", dir, "--log-level", "warn"}, out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "okta face") {
		t.Fatalf("start on a taken port: %v, want the Okta face's listen error", err)
	}
	if strings.Contains(out.String(), "token") {
		t.Fatalf("a start that could not listen printed a token:\n%s", out.String())
	}

	out2, url, stop := start(t, dir)
	defer func() { _ = stop() }()
	tok := savedTokens(t, dir)
	if tok.WrikeAdmin == "" || tok.OktaAPI == "" || !strings.Contains(out2.String(), tok.WrikeAdmin) || !strings.Contains(out2.String(), tok.OktaAPI) {
		t.Fatalf("the start after the failed one did not show both tokens (file %+v):\n%s", tok, out2.String())
	}
	if adminStatus(t, url, tok.WrikeAdmin) != http.StatusOK || oktaStatus(t, oktaURL(t, out2.String()), tok.OktaAPI) != http.StatusOK {
		t.Fatal("the tokens shown do not work")
	}
}

// adminStatus is the status of GET /api/v4/account with an admin token.
func adminStatus(t *testing.T, url, token string) int {
	t.Helper()
	return send(http.MethodGet, url+"/api/v4/account", token, "").Status
}

// runOffline runs a maintenance command (--rotate-admin-token,
// --mint-okta-token) on dir with both face addresses pointing at a port held
// by the test, so that it fails if it tries to listen; it returns the output.
func runOffline(t *testing.T, dir string, flags ...string) (string, error) {
	t.Helper()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	out := &syncBuffer{}
	args := append([]string{"--wrike-addr", taken.Addr().String(), "--okta-addr", taken.Addr().String(), "--data-dir", dir}, flags...)
	err = run(context.Background(), args, out, io.Discard)
	return out.String(), err
}

// TestRotateAdminToken: --rotate-admin-token, with the server stopped,
// revokes the admin token of the first start (refused from then on), prints
// a new one that works and puts it in tokens.env, binds no port and exits;
// the data and the Okta API token stay.
func TestRotateAdminToken(t *testing.T) {
	dir := t.TempDir()
	_, url, stop := start(t, dir)
	first := savedTokens(t, dir)
	old := first.WrikeAdmin
	if a := send(http.MethodPost, url+"/api/v4/approved_domains", old, `{"domain":"acme.example.com"}`); a.Status != http.StatusOK {
		t.Fatalf("create a domain: %d", a.Status)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	out, err := runOffline(t, dir, "--rotate-admin-token")
	if err != nil {
		t.Fatalf("--rotate-admin-token: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Revoked 1 Wrike admin token(s)") || strings.Contains(out, "face:") {
		t.Fatalf("rotation output:\n%s", out)
	}
	fresh := savedTokens(t, dir)
	if fresh.WrikeAdmin == old || !strings.Contains(out, "(shown once, keep it): "+fresh.WrikeAdmin) || fresh.OktaAPI != first.OktaAPI {
		t.Fatalf("tokens.env after rotation %+v (first %+v), output:\n%s", fresh, first, out)
	}

	out2, url, stop := start(t, dir)
	defer func() { _ = stop() }()
	if strings.Contains(out2.String(), "token") {
		t.Fatalf("a start after the rotation printed a token:\n%s", out2.String())
	}
	if got := adminStatus(t, url, old); got != http.StatusUnauthorized {
		t.Fatalf("revoked admin token: %d, want 401", got)
	}
	if got := adminStatus(t, url, fresh.WrikeAdmin); got != http.StatusOK {
		t.Fatalf("new admin token: %d, want 200", got)
	}
	if a := send(http.MethodGet, url+"/api/v4/approved_domains", fresh.WrikeAdmin, ""); !strings.Contains(fmt.Sprint(a.Body), "acme.example.com") {
		t.Fatalf("the rotation lost data: %v", a.Body)
	}
}

// TestMintOktaToken: --mint-okta-token, with the server stopped, prints a
// new Okta API token and puts it in tokens.env; after a start both the new
// token and the first one work (the old one is revoked through the API).
func TestMintOktaToken(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := start(t, dir)
	first := savedTokens(t, dir)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out, err := runOffline(t, dir, "--mint-okta-token")
	if err != nil {
		t.Fatalf("--mint-okta-token: %v\n%s", err, out)
	}
	minted := savedTokens(t, dir)
	if minted.OktaAPI == first.OktaAPI || minted.WrikeAdmin != first.WrikeAdmin || !strings.Contains(out, "Okta API token (shown once, keep it): "+minted.OktaAPI) {
		t.Fatalf("tokens.env after minting %+v (first %+v), output:\n%s", minted, first, out)
	}
	out2, _, stop := start(t, dir)
	defer func() { _ = stop() }()
	okta := oktaURL(t, out2.String())
	if oktaStatus(t, okta, minted.OktaAPI) != http.StatusOK || oktaStatus(t, okta, first.OktaAPI) != http.StatusOK {
		t.Fatal("the minted Okta API token or the first one is refused")
	}
}

func TestBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--log-level", "loud"}, io.Discard, io.Discard); err == nil {
		t.Fatal("want error for a bad log level")
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Fatal("want error for a stray argument")
	}
	for _, args := range [][]string{{"--retry-horizon", "forever"}, {"--retry-horizon", "0s"}, {"--retry-max-backoff", "-1m"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Fatalf("%v: %v, want an error naming the flag", args, err)
		}
	}
	o, err := parseFlags([]string{"--retry-horizon", "36h"}, io.Discard, io.Discard)
	if err != nil || o.retryHorizon != 36*time.Hour || o.retryMaxBackoff != 15*time.Minute {
		t.Fatalf("retry flags: %+v %v, want 36h and the 15m default", o, err)
	}
	err = run(context.Background(), []string{"--dev", "--rotate-admin-token", "--data-dir", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "dev.env") {
		t.Fatalf("--dev with --rotate-admin-token: %v, want an error that points at dev.env", err)
	}
}

// --help is a request, not an error: the usage goes to stdout and the exit
// status is 0. A wrong flag prints the usage to stderr and fails.
func TestHelpGoesToStdout(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{arg}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		if !strings.Contains(stdout.String(), "-wrike-addr") || stderr.Len() != 0 {
			t.Fatalf("%s: stdout %q, stderr %q; want the usage on stdout only", arg, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--no-such-flag"}, &stdout, &stderr); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "-wrike-addr") {
		t.Fatalf("unknown flag: stdout %q, stderr %q; want the usage on stderr only", stdout.String(), stderr.String())
	}
}

// At the default log level the backend does not log every request; at
// debug it does.
func TestRequestLinesOnlyAtDebug(t *testing.T) {
	for level, want := range map[string]bool{"info": false, "debug": true} {
		log := &syncBuffer{}
		dir := t.TempDir()
		_, url, stop := startLogging(t, dir, log, "--log-level", level)
		adminStatus(t, url, savedTokens(t, dir).WrikeAdmin)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(log.String(), "msg=request"); got != want {
			t.Errorf("--log-level %s: request lines logged = %v, want %v:\n%s", level, got, want, log.String())
		}
	}
}
