package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
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
	if len(extra) > 0 {
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
	m := regexp.MustCompile(`Wrike admin token \(shown once, keep it\): (wrka_\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token printed:\n%s", out.String())
	}
	token := m[1]
	req, _ := http.NewRequest(http.MethodGet, url+"/api/v4/account", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("printed token refused: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	out, url, stop = start(t, dir)
	defer stop()
	if strings.Contains(out.String(), "admin token") {
		t.Fatalf("second start printed a token again:\n%s", out.String())
	}
	req2, _ := http.NewRequest(http.MethodGet, url+"/api/v4/account", nil)
	req2.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token from the first start refused after restart: %d", resp.StatusCode)
	}
}

func TestBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--log-level", "loud"}, io.Discard, io.Discard); err == nil {
		t.Fatal("want error for a bad log level")
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Fatal("want error for a stray argument")
	}
}
