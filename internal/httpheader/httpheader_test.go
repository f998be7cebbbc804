package httpheader

import (
	"net/http"
	"testing"
	"time"
)

// TestRetryAfter: both forms of RFC 9110, a past date as now, and what is
// neither (or would overflow a time.Duration) read as such, not as zero
// seconds or a negative wait.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", time.Minute, true},
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true},
		{"99999999999999999999", 0, false},
		{"9223372036854775807", time.Duration(maxRetryAfterSeconds) * time.Second, true},
	} {
		got, ok := RetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if got < 0 {
			t.Errorf("RetryAfter(%q) is negative: %v", tc.in, got)
		}
	}
}

func TestNextLink(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://o.example.com/api/v1/users?limit=2>; rel="self"`)
	h.Add("Link", `<https://o.example.com/api/v1/users?after=00u2&limit=2>; rel="next"`)
	if got := NextLink(h); got != "https://o.example.com/api/v1/users?after=00u2&limit=2" {
		t.Fatalf("NextLink = %q", got)
	}
	if got := NextLink(http.Header{"Link": {`<https://x/a>; rel="self"`}}); got != "" {
		t.Fatalf("NextLink without next = %q", got)
	}
}
