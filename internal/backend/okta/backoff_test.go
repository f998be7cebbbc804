package okta

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// retryAfterValues are Retry-After headers as service providers send them,
// well formed or not: seconds (zero, negative, fractional, past int64),
// dates (past, now, future, far future) and garbage.
func retryAfterValues(now time.Time) []string {
	return []string{"", "0", "-1", "-9223372036854775808", "1", "1.5", "0.001", "-0.5", "120", "900", "901",
		"86400", "9223372036854775807", "99999999999999999999999", "1e400", "NaN", "Inf", "soon", " 3 ",
		now.Add(-time.Hour).Format(http.TimeFormat), now.Format(http.TimeFormat),
		now.Add(90 * time.Second).Format(http.TimeFormat), now.Add(10 * time.Hour).Format(http.TimeFormat),
		"Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"}
}

// asked is the least wait the header asks for, computed independently of
// retryAfter: whole or fractional seconds rounded up, dates from now.
func asked(v string, now time.Time) time.Duration {
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	f, err := strconv.ParseFloat(v, 64)
	if (err != nil && f != math.MaxFloat64) || !(f > 0) || math.IsInf(f, 0) {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return time.Duration(min(n, math.MaxInt64/int64(time.Second))) * time.Second
		}
		return 0
	}
	if f >= math.MaxInt64/float64(time.Second) {
		return math.MaxInt64 / time.Second * time.Second
	}
	return time.Duration(math.Ceil(f)) * time.Second
}

// checkWait asserts the backoff's contract for one input.
func checkWait(t *testing.T, p retryPolicy, attempt int, ra time.Duration) {
	t.Helper()
	got := p.wait(attempt, ra)
	capped := max(p.maxWait, 0)
	if got < 0 || got > capped {
		t.Fatalf("wait(%d, %v) with %+v = %v: outside [0, %v]", attempt, ra, p, got, capped)
	}
	if floor := min(max(ra, 0), capped); got < floor {
		t.Fatalf("wait(%d, %v) with %+v = %v: sooner than Retry-After (up to the cap) %v", attempt, ra, p, got, floor)
	}
	// The backoff doubles from base: never below half of min(base·2^(n-1), cap).
	if p.base > 0 {
		// Doubling one step at a time, stopping at the cap.
		full := p.base
		for n := 1; n < attempt && full < capped; n++ {
			if full > capped/2 {
				full = capped
			} else {
				full *= 2
			}
		}
		full = min(full, capped)
		if got < full/2 {
			t.Fatalf("wait(%d, %v) with %+v = %v: below half the backoff %v", attempt, ra, p, got, full)
		}
	}
}

// TestRetryWaitIsTotal checks the backoff over the whole input space: every
// attempt number up to and past the int64 shift (the engine once panicked
// at attempt 35), every kind of Retry-After, and policies with any base,
// cap and horizon, from the edges and at random.
func TestRetryWaitIsTotal(t *testing.T) {
	durations := []time.Duration{math.MinInt64, -time.Hour, -1, 0, 1, time.Millisecond, time.Second, 15 * time.Minute,
		24 * time.Hour, 1 << 40, math.MaxInt64 / 2, math.MaxInt64}
	for _, base := range durations {
		for _, maxWait := range durations {
			p := retryPolicy{base: base, maxWait: maxWait, horizon: 24 * time.Hour}
			for _, attempt := range []int{math.MinInt, -1, 0, 1, 2, 33, 34, 35, 36, 62, 63, 64, 65, 1000, math.MaxInt} {
				for _, ra := range durations {
					checkWait(t, p, attempt, ra)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	anyDuration := func() time.Duration {
		switch r.IntN(3) {
		case 0:
			return time.Duration(r.Int64())
		case 1:
			return -time.Duration(r.Int64())
		default:
			return time.Duration(r.Int64N(int64(48 * time.Hour)))
		}
	}
	for range 200_000 {
		p := retryPolicy{base: anyDuration(), maxWait: anyDuration(), horizon: anyDuration()}
		checkWait(t, p, int(r.Int64())>>r.IntN(64), anyDuration())
	}
}

// TestRetryAfterHeaderHonoured feeds the header values through the parser
// the engine uses, on a clock that is not the real one, into the default
// policy and extreme ones.
func TestRetryAfterHeaderHonoured(t *testing.T) {
	now := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, v := range retryAfterValues(now) {
		ra := retryAfter(v, now)
		if want := asked(v, now); ra < want && ra < math.MaxInt64/time.Second*time.Second {
			t.Errorf("Retry-After %q read as %v, asks for %v", v, ra, want)
		}
		for _, p := range []retryPolicy{
			{base: DefaultRetryBackoff, maxWait: DefaultRetryMaxBackoff, horizon: DefaultRetryHorizon},
			{base: time.Hour, maxWait: time.Second, horizon: time.Minute},
			{base: 1, maxWait: math.MaxInt64, horizon: math.MaxInt64},
		} {
			for attempt := range 200 {
				checkWait(t, p, attempt, ra)
			}
		}
	}
}

// FuzzRetryWait is the same contract for inputs the fuzzer chooses
// (go test -fuzz FuzzRetryWait ./internal/backend/okta/).
func FuzzRetryWait(f *testing.F) {
	f.Add(int64(time.Second), int64(15*time.Minute), 35, int64(0), "")
	f.Add(int64(time.Second), int64(15*time.Minute), 1_000_000, int64(-1), "-5")
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), 64, int64(math.MaxInt64), "Fri, 31 Dec 9999 23:59:59 GMT")
	f.Add(int64(0), int64(-1), -7, int64(math.MinInt64), "1.5")
	now := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, base, maxWait int64, attempt int, ra int64, header string) {
		p := retryPolicy{base: time.Duration(base), maxWait: time.Duration(maxWait), horizon: DefaultRetryHorizon}
		checkWait(t, p, attempt, time.Duration(ra))
		checkWait(t, p, attempt, retryAfter(header, now))
	})
}
