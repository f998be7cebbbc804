package clock

import (
	"testing"
	"time"
)

func TestFakeRunsDueTimersInOrderAndStops(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFake(start)
	var fired []string
	c.AfterFunc(2*time.Hour, func() { fired = append(fired, "2h") })
	c.AfterFunc(time.Hour, func() { fired = append(fired, "1h") })
	stop := c.AfterFunc(90*time.Minute, func() { fired = append(fired, "90m") })
	if !stop() || stop() {
		t.Fatal("stop reports the first cancel only")
	}
	if at, ok := c.Next(); !ok || !at.Equal(start.Add(time.Hour)) {
		t.Fatalf("next = %v %v", at, ok)
	}
	c.Advance(59 * time.Minute)
	if len(fired) != 0 {
		t.Fatalf("fired early: %v", fired)
	}
	c.Advance(3 * time.Hour)
	if len(fired) != 2 || fired[0] != "1h" || fired[1] != "2h" {
		t.Fatalf("fired %v, want [1h 2h]", fired)
	}
	if c.AdvanceToNext() {
		t.Fatal("a timer is left")
	}
	if got := c.Now(); !got.Equal(start.Add(59*time.Minute + 3*time.Hour)) {
		t.Fatalf("now = %v", got)
	}
}
