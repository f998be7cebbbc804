package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// withShortLimits shrinks the servers' timeouts for one test, so that slow
// clients are cut in milliseconds instead of the production seconds.
func withShortLimits(t *testing.T) serverLimitSet {
	t.Helper()
	saved := serverLimits
	serverLimits = serverLimitSet{
		readHeader: 300 * time.Millisecond, read: 600 * time.Millisecond, write: 2 * time.Second,
		longWrite: 2 * time.Second, idle: 500 * time.Millisecond, maxHeader: saved.maxHeader,
	}
	t.Cleanup(func() { serverLimits = saved })
	return serverLimits
}

// closedWithin reads from conn until the server closes it (or answers), and
// fails unless that happens within d.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration, what string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: the server still held the connection after %v", what, d)
	}
}

// TestSlowClientsAreCut: a client that sends its headers too
// slowly, its body too slowly, or holds an idle keep-alive connection is
// disconnected by the server's timeouts, on both faces; a request with
// headers over the bound is answered 431.
func TestSlowClientsAreCut(t *testing.T) {
	lim := withShortLimits(t)
	_, wrikeURL, stop := start(t, t.TempDir())
	defer func() { _ = stop() }()
	addr := strings.TrimPrefix(wrikeURL, "http://")

	// Slow headers (slowloris): half a request line, then silence.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	fmt.Fprint(conn, "GET /api/v4/account HTTP/1.1\r\nHost: x\r\n")
	closedWithin(t, conn, lim.readHeader+5*time.Second, "slow headers")

	// Slow body: headers complete, the body never comes.
	conn2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn2.Close() }()
	fmt.Fprint(conn2, "POST /api/v4/approved_domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrka_x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"domain\":")
	closedWithin(t, conn2, lim.read+5*time.Second, "slow body")

	// Idle keep-alive connection after one request.
	conn3, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn3.Close() }()
	fmt.Fprint(conn3, "GET /api/v4/account HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn3), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	closedWithin(t, conn3, lim.idle+5*time.Second, "idle keep-alive")

	// Headers over the bound.
	a := backendtest.Send(nil, http.MethodGet, wrikeURL+"/api/v4/account", nil, "X-Padding", strings.Repeat("p", lim.maxHeader+4096)).Sent(t)
	if a.Status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers over %d bytes: status %d, want 431", lim.maxHeader, a.Status)
	}
	// Within the bound is served.
	a = backendtest.Send(nil, http.MethodGet, wrikeURL+"/api/v4/account", nil, "X-Padding", strings.Repeat("p", lim.maxHeader/2)).Sent(t)
	if a.Status != http.StatusUnauthorized {
		t.Fatalf("headers within the bound: status %d, want 401 (no token)", a.Status)
	}
}

// TestServerLimitsConfigured checks the production bounds: every
// timeout set (so no client can hold a connection forever), the Okta face's
// write timeout longer than the longest provisioning wait it accepts.
func TestServerLimitsConfigured(t *testing.T) {
	w := newServer(http.NotFoundHandler(), false)
	o := newServer(http.NotFoundHandler(), true)
	for name, s := range map[string]*http.Server{"wrike": w, "okta": o} {
		if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
			t.Errorf("%s face server leaves a bound unset: read header %v, read %v, write %v, idle %v, max header %d bytes",
				name, s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout, s.MaxHeaderBytes)
		}
		if s.MaxHeaderBytes > 1<<20 {
			t.Errorf("%s face: MaxHeaderBytes %d", name, s.MaxHeaderBytes)
		}
	}
	if o.WriteTimeout <= 10*time.Minute {
		t.Errorf("okta face write timeout %v cuts the 10-minute provisioning wait", o.WriteTimeout)
	}
}
