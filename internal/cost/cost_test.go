package cost

import (
	"math/rand/v2"
	"testing"
)

// TestMeterAdmitsExactlyItsBudget: over random charges, a meter admits
// spending exactly its limit and refuses from the first unit beyond, for
// good; a nil meter admits everything.
func TestMeterAdmitsExactlyItsBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 23))
	for range 1000 {
		limit := 1 + rng.Int64N(1_000_000)
		m := NewMeter(limit)
		var spent int64
		for spent <= limit {
			n := 1 + rng.Int64N(limit/4+1)
			ok := m.Charge(n)
			spent += n
			if ok != (spent <= limit) || m.Over() == ok || m.Spent() != spent {
				t.Fatalf("limit %d, spent %d: Charge %v, Over %v", limit, spent, ok, m.Over())
			}
		}
		if m.Charge(0) || !m.Over() {
			t.Fatal("an exhausted meter admitted more")
		}
	}
	var m *Meter
	if !m.Charge(1<<62) || m.Over() || m.Spent() != 0 {
		t.Fatal("a nil meter refused")
	}
	if NewMeter(0).Limit() != DefaultBudget {
		t.Fatal("a zero budget is not the default")
	}
}

// TestCompare: co costs the product of the lengths, every other operator
// their sum, and nothing is free.
func TestCompare(t *testing.T) {
	for _, c := range []struct {
		op   string
		v, o int
		want int64
	}{{"co", 256, 8192, 256 * 8192}, {"sw", 256, 8192, 256 + 8192}, {"eq", 10, 10, 20}, {"co", 0, 5, 1}, {"pr", 0, 0, 1}} {
		if got := Compare(c.op, c.v, c.o); got != c.want {
			t.Errorf("Compare(%s, %d, %d) = %d, want %d", c.op, c.v, c.o, got, c.want)
		}
	}
}
