package httpclient

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Dial checks that base's address accepts a TCP connection within timeout,
// without sending a request: the proxy's address when proxy (such as
// http.ProxyFromEnvironment, what the client's requests go through) names
// one for base, else base's host and port.
func Dial(ctx context.Context, base *url.URL, proxy func(*http.Request) (*url.URL, error), timeout time.Duration) error {
	target := base
	via, err := proxy(&http.Request{URL: base})
	if err != nil {
		return err
	}
	if via != nil {
		target = via
	}
	port := target.Port()
	if port == "" {
		port = "443"
		if target.Scheme == "http" {
			port = "80"
		}
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(target.Hostname(), port))
	if err != nil {
		return err
	}
	return conn.Close()
}
