package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
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
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		args := []string{"--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn"}
		errc <- run(ctx, append(args, extra...), out, io.Discard)
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

func TestFirstStartPrintsAdminTokenOnce(t *testing.T) {
	dir := t.TempDir()
	out, url, stop := start(t, dir)
	m := adminTokenLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token printed:\n%s", out.String())
	}
	token := m[1]
	if status, _ := send(t, http.MethodGet, url+"/api/v4/account", token, ""); status != http.StatusOK {
		t.Fatalf("printed token refused: %d", status)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	out, url, stop = start(t, dir)
	defer stop()
	if strings.Contains(out.String(), "admin token") {
		t.Fatalf("second start printed a token again:\n%s", out.String())
	}
	if status, _ := send(t, http.MethodGet, url+"/api/v4/account", token, ""); status != http.StatusOK {
		t.Fatalf("token from the first start refused after restart: %d", status)
	}
}

// adminStatus is the status of GET /api/v4/account with an admin token.
func adminStatus(t *testing.T, url, token string) int {
	t.Helper()
	status, _ := send(t, http.MethodGet, url+"/api/v4/account", token, "")
	return status
}

var adminTokenLine = regexp.MustCompile(`Wrike admin token \(shown once, keep it\): (wrka_\S+)`)

// TestRotateAdminToken: a start with --rotate-admin-token revokes the admin
// token of the first start (refused from its first request on, and after
// later restarts) and prints a new one that works; the data stays.
func TestRotateAdminToken(t *testing.T) {
	dir := t.TempDir()
	out, url, stop := start(t, dir)
	old := adminTokenLine.FindStringSubmatch(out.String())[1]
	if status, _ := send(t, http.MethodPost, url+"/api/v4/approved_domains", old, `{"domain":"acme.example.com"}`); status != http.StatusOK {
		t.Fatalf("create a domain: %d", status)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	out, url, stop = start(t, dir, "--rotate-admin-token")
	if !strings.Contains(out.String(), "Revoked 1 Wrike admin token(s)") {
		t.Fatalf("rotation output:\n%s", out.String())
	}
	m := adminTokenLine.FindStringSubmatch(out.String())
	if m == nil || m[1] == old {
		t.Fatalf("no new admin token printed:\n%s", out.String())
	}
	fresh := m[1]
	if got := adminStatus(t, url, old); got != http.StatusUnauthorized {
		t.Fatalf("revoked admin token: %d, want 401", got)
	}
	if got := adminStatus(t, url, fresh); got != http.StatusOK {
		t.Fatalf("new admin token: %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	out, url, stop = start(t, dir)
	defer stop()
	if strings.Contains(out.String(), "admin token") {
		t.Fatalf("a start without the flag printed or revoked a token:\n%s", out.String())
	}
	if adminStatus(t, url, old) != http.StatusUnauthorized || adminStatus(t, url, fresh) != http.StatusOK {
		t.Fatal("after a restart the revoked token works or the new one does not")
	}
	if _, body := send(t, http.MethodGet, url+"/api/v4/approved_domains", fresh, ""); !strings.Contains(fmt.Sprint(body), "acme.example.com") {
		t.Fatalf("the rotation lost data: %v", body)
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
	o, err := parseFlags([]string{"--retry-horizon", "36h"}, io.Discard)
	if err != nil || o.retryHorizon != 36*time.Hour || o.retryMaxBackoff != 15*time.Minute {
		t.Fatalf("retry flags: %+v %v, want 36h and the 15m default", o, err)
	}
	err = run(context.Background(), []string{"--dev", "--rotate-admin-token", "--data-dir", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "dev.env") {
		t.Fatalf("--dev with --rotate-admin-token: %v, want an error that points at dev.env", err)
	}
}
