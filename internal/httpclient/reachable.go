package httpclient

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Dial checks that base's address accepts a TCP connection within timeout,
// without sending a request: the proxy's address when the environment
// names one for base (as the client's requests go there), else base's
// host and port.
func Dial(ctx context.Context, base *url.URL, timeout time.Duration) error {
	target := base
	proxy, err := http.ProxyFromEnvironment(&http.Request{URL: base})
	if err != nil {
		return err
	}
	if proxy != nil {
		target = proxy
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
