// Package cost is the reference backend's one model of what evaluating a
// client's expression costs: SCIM filters and PATCH paths on the Wrike face,
// search, filter and q on the Okta face, the admin API's listing filters.
// Work is counted in bytes examined (a unit is one byte compared or decoded,
// about a nanosecond of one core; BenchmarkCostUnits in internal/scim
// measures it), charged to one Meter per request as the work is done, so
// that what a request may cost does not depend on how many comparisons its
// expression has but on how long the values it compares are.
package cost

import (
	"context"
	"fmt"
	"time"
)

// DefaultBudget is what one request may spend: about 1 s of one core on the
// development machine, the worst case any single request may cost
// (dev/BENCHMARKS.md, "Hostile load").
const DefaultBudget = 1_000_000_000

// DecodeWeight is the cost of decoding one byte of a stored JSON document
// into a resource, in units: decoding is that much slower than comparing
// (BenchmarkCostUnits).
const DecodeWeight = 100

// Compare is the cost of comparing a value of length v with an operand of
// length o by op: co examines the operand at every alignment of the value
// (v × o); every other operator examines each side at most once (v + o:
// sw, ew and the orderings stop at the shorter, but eq on an address
// computes the value's canonical form, and a comparison ignoring case
// lower-cases both sides when they are not ASCII). Every comparison costs
// at least one unit, so that an empty value is not free.
func Compare(op string, v, o int) int64 {
	if op == "co" {
		return max(int64(v)*int64(o), 1)
	}
	return max(int64(v)+int64(o), 1)
}

// Meter counts the units one request spends against its budget. A nil Meter
// counts nothing and admits everything: internal callers that evaluate
// their own expressions pass nil. A meter from Gate.Meter also paces the
// request's heavy work (Pace).
type Meter struct {
	limit, spent int64

	gate  *Gate
	ctx   context.Context
	held  bool      // the request holds one of gate's slots
	stint time.Time // when the request last began working, holding it
}

// NewMeter returns a meter with the given budget (DefaultBudget when it is
// zero or less).
func NewMeter(limit int64) *Meter {
	if limit <= 0 {
		limit = DefaultBudget
	}
	return &Meter{limit: limit}
}

// Charge spends n units and reports whether the request is still within
// its budget. Once it is not, every later Charge reports false too.
func (m *Meter) Charge(n int64) bool {
	if m == nil {
		return true
	}
	m.spent += n
	return m.spent <= m.limit
}

// Over reports whether the request has spent more than its budget.
func (m *Meter) Over() bool { return m != nil && m.spent > m.limit }

// Spent is the units charged so far.
func (m *Meter) Spent() int64 {
	if m == nil {
		return 0
	}
	return m.spent
}

// Limit is the budget.
func (m *Meter) Limit() int64 {
	if m == nil {
		return 0
	}
	return m.limit
}

// Detail describes an exhausted budget for an error answer: what was being
// done, the limit and how to stay under it.
func (m *Meter) Detail(what string) string {
	return fmt.Sprintf("%s examined more than %d bytes (the limit of work one request may do here; "+
		"comparing a value with co costs its length times the operand's length, decoding a user costs %d per byte of its document)",
		what, m.Limit(), DecodeWeight)
}
