package reliabilitytest

import (
	"testing"
	"time"
)

// Receive takes n values from ch, which announces events a test waits for
// (requests held, requests refused), and fails the test unless they all
// come within d.
func Receive[T any](t testing.TB, ch <-chan T, n int, d time.Duration, what string) {
	t.Helper()
	deadline := time.After(d)
	for i := range n {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d of %d %s within %v", i, n, what, d)
		}
	}
}
