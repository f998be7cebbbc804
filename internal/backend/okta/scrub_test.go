package okta

import (
	"strings"
	"testing"
	"time"
)

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"Authorization: Bearer abc.def-ghi":         "Authorization: Bearer [redacted]",
		"ssws 00abc, then basic dXNlcjpwYXNz":       "ssws [redacted], then basic [redacted]",
		"bearer%20xyz and wrka_secretvalue1234 end": "bearer [redacted] and [redacted] end",
		"a\nb\tc":                         "a b c",
		"the token is s3cr3t-s3cr3t here": "the token is [redacted] here",
		strings.Repeat("é", 300):          strings.Repeat("é", maxReason) + "…",
	} {
		if got := scrub(in, "s3cr3t-s3cr3t"); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetryPolicyWaits(t *testing.T) {
	p := retryPolicy{base: time.Second, maxWait: 15 * time.Minute, horizon: 24 * time.Hour}
	for attempt, full := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 11: 15 * time.Minute, 1000: 15 * time.Minute} {
		for range 50 {
			if d := p.wait(attempt, 0); d < full/2 || d > full {
				t.Fatalf("attempt %d waits %v, want between %v and %v", attempt, d, full/2, full)
			}
		}
	}
	// Retry-After wins over a shorter backoff (plus at most 10 %), up to the cap.
	for range 50 {
		if d := p.wait(1, 30*time.Second); d < 30*time.Second || d > 33*time.Second {
			t.Fatalf("Retry-After 30s waits %v", d)
		}
		if d := p.wait(1, 5*time.Hour); d < 15*time.Minute || d > 16*time.Minute+30*time.Second {
			t.Fatalf("Retry-After 5h waits %v, want the 15m cap", d)
		}
	}
}
