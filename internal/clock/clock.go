// Package clock is the time source of the backend's long waits. The
// provisioning engine retries for hours; through a Fake clock a test moves
// time forward explicitly, so hours of backoff take no real time and no test
// sleeps to let them pass.
package clock

import (
	"slices"
	"sync"
	"time"
)

// AfterFunc runs f in its own goroutine after d and returns a function that
// cancels the call (reporting whether it did), as time.AfterFunc does.
type AfterFunc func(d time.Duration, f func()) (stop func() bool)

// RealAfterFunc is AfterFunc on the real clock.
func RealAfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Fake is a manual clock: Now stays put until Advance moves it, and timers
// fire when Advance passes their time.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at time.Time
	f  func()
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now is the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d on the fake clock.
func (c *Fake) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := len(c.timers)
		c.timers = slices.DeleteFunc(c.timers, func(x *fakeTimer) bool { return x == t })
		return len(c.timers) < n
	}
}

// Next is the time of the earliest pending timer; ok is false when none.
func (c *Fake) Next() (at time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		if !ok || t.at.Before(at) {
			at, ok = t.at, true
		}
	}
	return at, ok
}

// Advance moves the clock forward by d and runs every timer due by then, in
// time order, before it returns: whatever a timer hands to other goroutines
// has been handed over when Advance returns. Timer functions must not block.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if !t.at.After(c.now) {
			due = append(due, t)
			return true
		}
		return false
	})
	c.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *fakeTimer) int { return a.at.Compare(b.at) })
	for _, t := range due {
		t.f()
	}
}

// AdvanceToNext moves the clock to the earliest pending timer and fires it
// (and any other due then); it reports false when no timer is pending.
func (c *Fake) AdvanceToNext() bool {
	at, ok := c.Next()
	if !ok {
		return false
	}
	c.Advance(max(at.Sub(c.Now()), 0))
	return true
}
