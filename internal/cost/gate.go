package cost

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// HeavyWork is the work (in units, about a nanosecond each at worst) past
// which a request is heavy by default (GateConfig.Heavy): it goes on only
// while it holds one of its gate's slots, and rests as long as it works.
// Below it (a lookup, the write of an ordinary user, a PATCH of a few
// operations, a projected page of a few dozen ordinary users) a request runs
// as it comes; decoding 50 KB of JSON (cost.DecodeWeight) reaches it.
const HeavyWork = 5_000_000

// DefaultWait is how long a heavy request waits for a slot before it is
// answered ErrBusy: the client is asked to retry, rather than kept waiting
// past its timeout.
const DefaultWait = 15 * time.Second

// restAfter is how long a heavy request works between rests.
const restAfter = 2 * time.Millisecond

// ErrBusy is the error of a heavy request that waited its gate's wait for
// a slot: other heavy requests were using them all.
var ErrBusy = errors.New("the server is busy with other costly requests")

// Gate is a process's one admission of heavy work, shared by every face and
// API that evaluates clients' expressions: at most one heavy request per
// two cores goes on at a time, and each rests as long as it works, so that
// however many clients send the costliest requests, they take at most a
// quarter of the cores together and leave the rest to lookups and
// provisioning. The allocation of their decoding, and so the collector's
// work that every request shares, is bounded the same way.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
	heavy int64

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error // rest for d, or until ctx is done
}

// GateConfig configures a gate; zero values take the defaults.
type GateConfig struct {
	// Slots is how many heavy requests go on at once (default: one per
	// two cores, at least one).
	Slots int
	// Wait is how long a heavy request waits for a slot (DefaultWait).
	Wait time.Duration
	// Heavy is the work past which a request is heavy (HeavyWork).
	Heavy int64
}

// NewGate returns a gate configured by c.
func NewGate(c GateConfig) *Gate {
	if c.Slots <= 0 {
		c.Slots = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if c.Wait <= 0 {
		c.Wait = DefaultWait
	}
	if c.Heavy <= 0 {
		c.Heavy = HeavyWork
	}
	return &Gate{slots: make(chan struct{}, c.Slots), wait: c.Wait, heavy: c.Heavy, now: time.Now, sleep: sleep}
}

// sleep waits d, or until ctx is done (its error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Meter returns a meter of the given budget (DefaultBudget when it is zero
// or less) for one request of ctx whose heavy work goes through g (see
// Meter.Pace); a nil g paces nothing. The request calls Close when it ends.
func (g *Gate) Meter(ctx context.Context, limit int64) *Meter {
	m := NewMeter(limit)
	if g != nil {
		m.gate, m.ctx = g, ctx
	}
	return m
}

// Hold takes one of the gate's slots now, for work known to be heavy
// before it starts (a walk over every user), waiting up to the gate's wait:
// ErrBusy after that, the context's error if the client left first. A
// meter that holds a slot already, or has no gate, returns nil at once.
func (m *Meter) Hold() error {
	if m == nil || m.gate == nil || m.held {
		return nil
	}
	wait := time.NewTimer(m.gate.wait)
	defer wait.Stop()
	select {
	case m.gate.slots <- struct{}{}:
	case <-m.ctx.Done():
		return m.ctx.Err()
	case <-wait.C:
		return ErrBusy
	}
	m.held, m.stint = true, m.gate.now()
	return nil
}

// Pace is called between the items of a request's work (users examined,
// PATCH operations applied). Once the request has spent its gate's Heavy
// units it holds a slot of the gate (Hold, and its errors); holding one, it
// rests as long as it has worked since its last rest, every couple of
// milliseconds of work. It returns the context's error if the client left
// while it waited.
func (m *Meter) Pace() error {
	if m == nil || m.gate == nil {
		return nil
	}
	if !m.held {
		if m.spent < m.gate.heavy {
			return nil
		}
		return m.Hold()
	}
	busy := m.gate.now().Sub(m.stint)
	if busy < restAfter {
		return nil
	}
	if err := m.gate.sleep(m.ctx, busy); err != nil {
		return err
	}
	m.stint = m.gate.now()
	return nil
}

// Close ends the request's heavy work: holding a slot, it rests as long as
// the request worked since its last rest (so that a request of one long
// step, such as decoding one large document, takes its slot twice as long
// as it works, as a paced one does), then gives the slot back. It may be
// called more than once.
func (m *Meter) Close() {
	if m == nil || !m.held {
		return
	}
	if busy := m.gate.now().Sub(m.stint); busy > 0 {
		_ = m.gate.sleep(m.ctx, busy) // a client that left ends the rest; the slot goes back all the same
	}
	m.held = false
	<-m.gate.slots
}
