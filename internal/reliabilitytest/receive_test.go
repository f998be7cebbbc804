package reliabilitytest

import (
	"testing"
	"time"
)

// fatalRecorder notes a Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = format
}

func TestReceive(t *testing.T) {
	ch := make(chan struct{}, 3)
	for range 3 {
		ch <- struct{}{}
	}
	Receive(t, ch, 3, time.Second, "events")
	if len(ch) != 0 {
		t.Fatalf("%d values left", len(ch))
	}
	// Fewer values than asked for: the wait ends at its deadline.
	ch <- struct{}{}
	rec := &fatalRecorder{TB: t}
	Receive(rec, ch, 2, 10*time.Millisecond, "events")
	if rec.msg == "" {
		t.Fatal("no failure when a value never came")
	}
}
