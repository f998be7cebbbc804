package httpclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"
)

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) *url.URL {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: "http", Host: l.Addr().String()}
	_ = l.Close()
	return u
}

func TestDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	open := &url.URL{Scheme: "http", Host: l.Addr().String()}
	closed := closedURL(t)
	direct := func(*http.Request) (*url.URL, error) { return nil, nil }
	ctx := context.Background()

	if err := Dial(ctx, open, direct, time.Minute); err != nil {
		t.Errorf("listening address: %v", err)
	}
	if err := Dial(ctx, closed, direct, time.Minute); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("closed port: err = %v, want connection refused", err)
	}
	// Through a proxy the proxy's address is dialled, not the target's.
	if err := Dial(ctx, &url.URL{Scheme: "https", Host: "wrike.invalid"}, http.ProxyURL(open), time.Minute); err != nil {
		t.Errorf("listening proxy: %v", err)
	}
	if err := Dial(ctx, open, http.ProxyURL(closed), time.Minute); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("closed proxy: err = %v, want connection refused", err)
	}
}
