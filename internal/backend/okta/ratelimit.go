package okta

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter is a fixed-window request budget shared by the whole org, as
// Okta's org-wide limits are, reported in X-Rate-Limit-* headers.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	start  time.Time
	used   int
}

func newRateLimiter(limit int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, now: now}
}

// take spends one request and sets the headers; false means the budget of
// the current window is spent.
func (l *rateLimiter) take(h http.Header) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start = now.Truncate(l.window)
		l.used = 0
	}
	ok := l.used < l.limit
	if ok {
		l.used++
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(l.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(l.limit-l.used))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(l.start.Add(l.window).Unix(), 10))
	return ok
}
