package cost

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGateAdmitsAtMostItsSlots: however many requests go heavy at once, at
// most the gate's slots of them hold one at the same time, and every one
// gets its turn (no slot is lost, whatever the mix of light and heavy
// requests, refusals and double closes).
func TestGateAdmitsAtMostItsSlots(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		slots, n := 1+rng.IntN(3), 2+rng.IntN(12)
		g := NewGate(GateConfig{Slots: slots, Wait: 5 * time.Second, Heavy: 100})
		g.sleep = func(context.Context, time.Duration) error { time.Sleep(10 * time.Microsecond); return nil }
		var holding, most atomic.Int32
		var wg sync.WaitGroup
		for range n {
			items, perItem := 1+rng.IntN(20), int64(rng.IntN(60))
			wg.Go(func() {
				m := g.Meter(context.Background(), 0)
				defer m.Close()
				for range items {
					if err := m.Pace(); err != nil {
						t.Errorf("seed %d: %v", seed, err)
						return
					}
					if m.held {
						h := holding.Add(1)
						for {
							if cur := most.Load(); h <= cur || most.CompareAndSwap(cur, h) {
								break
							}
						}
						time.Sleep(20 * time.Microsecond)
						holding.Add(-1)
					}
					m.Charge(perItem)
				}
				m.Close() // closing twice is harmless
			})
		}
		wg.Wait()
		if most.Load() > int32(slots) {
			t.Fatalf("seed %d: %d requests held a slot at once, the gate has %d", seed, most.Load(), slots)
		}
		// Every slot came back: as many requests as slots hold one at once.
		for i := range slots {
			if err := g.Meter(context.Background(), 0).Hold(); err != nil {
				t.Fatalf("seed %d: slot %d of %d not given back: %v", seed, i+1, slots, err)
			}
		}
	}
}

// TestGateLightWorkPassesAHeldGate: with every slot held, a request below
// the gate's Heavy units goes on at once; the request that reaches it waits
// the gate's wait and gets ErrBusy; a request whose client leaves while it
// waits gets the context's error.
func TestGateLightWorkPassesAHeldGate(t *testing.T) {
	g := NewGate(GateConfig{Slots: 1, Wait: 20 * time.Millisecond, Heavy: 1000})
	running := g.Meter(context.Background(), 0)
	if err := running.Hold(); err != nil {
		t.Fatal(err)
	}
	m := g.Meter(context.Background(), 0)
	for range 999 {
		if err := m.Pace(); err != nil {
			t.Fatalf("light work waited: %v", err)
		}
		m.Charge(1)
	}
	m.Charge(1)
	if err := m.Pace(); !errors.Is(err, ErrBusy) {
		t.Fatalf("heavy work with the gate held: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	patient := NewGate(GateConfig{Slots: 1, Wait: time.Hour})
	if err := patient.Meter(context.Background(), 0).Hold(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(10*time.Millisecond, cancel)
	if err := patient.Meter(ctx, 0).Hold(); !errors.Is(err, context.Canceled) {
		t.Fatalf("a client that left: %v, want context.Canceled", err)
	}
	running.Close()
	if err := m.Pace(); err != nil {
		t.Fatalf("the slot was given back, yet: %v", err)
	}
	m.Close()
	// A gateless meter paces nothing.
	var none *Gate
	if err := none.Meter(context.Background(), 0).Hold(); err != nil {
		t.Fatal(err)
	}
}

// TestGateRestsAsLongAsItWorks: on a fake clock, a heavy request working
// items of random length rests, in all, as long as it worked, to within one
// stint while it works and exactly once it closes: it takes at most half a
// core.
func TestGateRestsAsLongAsItWorks(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 2))
		now := time.Unix(0, 0)
		var rested time.Duration
		g := NewGate(GateConfig{Slots: 1, Heavy: 1})
		g.now = func() time.Time { return now }
		g.sleep = func(_ context.Context, d time.Duration) error {
			rested += d
			now = now.Add(d)
			return nil
		}
		m := g.Meter(context.Background(), 0)
		m.Charge(1)
		var worked, longest time.Duration
		for range 1 + rng.IntN(2000) {
			if err := m.Pace(); err != nil {
				t.Fatal(err)
			}
			d := time.Duration(rng.Int64N(int64(3 * time.Millisecond)))
			now, worked, longest = now.Add(d), worked+d, max(longest, d)
			if rested > worked {
				t.Fatalf("seed %d: rested %v for %v of work", seed, rested, worked)
			}
			if worked-rested > restAfter+longest {
				t.Fatalf("seed %d: worked %v and rested only %v (a stint is %v, the longest item %v)", seed, worked, rested, restAfter, longest)
			}
		}
		m.Close()
		if rested != worked {
			t.Fatalf("seed %d: closed after %v of work and %v of rest, want them equal", seed, worked, rested)
		}
	}
	// A client that leaves during a rest ends it with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	g := NewGate(GateConfig{Slots: 1, Heavy: 1})
	m := g.Meter(ctx, 0)
	m.Charge(1)
	if err := m.Pace(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * restAfter) // a stint of work
	cancel()
	if err := m.Pace(); !errors.Is(err, context.Canceled) {
		t.Fatalf("rest of a client that left: %v", err)
	}
	m.Close()
}
