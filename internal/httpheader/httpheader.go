// Package httpheader reads the response headers that both sides of the
// project act on: Retry-After, and the Link header's rel="next" that Okta
// pages by. It depends on the standard library only, so the provider's
// transport and the backend share it without the backend linking the
// provider's retrying client.
package httpheader

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfterSeconds keeps a Retry-After in seconds within time.Duration
// (about 292 years); callers cap the wait far below it.
const maxRetryAfterSeconds = math.MaxInt64 / int64(time.Second)

// RetryAfter reads a Retry-After header value (RFC 9110 section 10.2.3):
// delay-seconds or an HTTP date, a date in the past meaning now. ok is false
// when v is empty or neither form.
func RetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// NextLink returns the URL of the Link header's rel="next", or "".
func NextLink(h http.Header) string {
	for _, line := range h.Values("Link") {
		for _, part := range strings.Split(line, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") {
					for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
						if strings.EqualFold(rel, "next") {
							return target[1 : len(target)-1]
						}
					}
				}
			}
		}
	}
	return ""
}
