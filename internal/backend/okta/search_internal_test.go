package okta

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// TestSearchChargesBytes: an Okta search's cost is the bytes it compares,
// by cost.Compare, however many clauses it has: over random value and
// operand lengths and clause counts, a budget of exactly that admits the
// evaluation and one unit less is exhausted.
func TestSearchChargesBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 23))
	for range 300 {
		v, o, k := 1+rng.IntN(1024), 1+rng.IntN(256), 1+rng.IntN(300)
		op := []string{"co", "sw", "eq", "ne", "gt"}[rng.IntN(5)]
		title := strings.Repeat("a", v)
		clauses := make([]string, k)
		for i := range clauses {
			clauses[i] = fmt.Sprintf(`profile.title %s "%s"`, op, strings.Repeat("b", o))
		}
		joiner := []string{" or ", " and "}[rng.IntN(2)]
		e, err := parseFilter(strings.Join(clauses, joiner), userFilterAttr)
		if err != nil {
			t.Fatal(err)
		}
		get := func(string) (string, bool) { return title, true }
		// An or of clauses that all fail examines each; an and stops at the first failure.
		fails := map[string]bool{"co": true, "sw": true, "eq": true, "gt": true, "ne": false}[op] // "a…" sorts before "b…"
		evaluated := k
		if joiner == " and " && fails || joiner == " or " && !fails {
			evaluated = 1
		}
		want := int64(evaluated) * cost.Compare(op, v, o)
		exact := cost.NewMeter(want)
		e.eval(get, exact)
		if exact.Over() || exact.Spent() != want {
			t.Fatalf("%d %s clauses %q of %d bytes over %d bytes: spent %d, want %d", k, op, joiner, o, v, exact.Spent(), want)
		}
		if short := cost.NewMeter(want - 1); want > 1 {
			e.eval(get, short)
			if !short.Over() {
				t.Fatalf("%d %s clauses: a budget one unit short is not exhausted", k, op)
			}
		}
	}
}

// TestProfileLimitsSpareWhatAnUpdateLeaves: a profile stored before the
// limits existed can be updated in its other attributes; the long one
// cannot be changed to another long value.
func TestProfileLimitsSpareWhatAnUpdateLeaves(t *testing.T) {
	prev := map[string]string{"login": "a@acme.example.com", "email": "a@acme.example.com", "firstName": "A", "lastName": "B",
		"title": strings.Repeat("t", 900_000)}
	next := maps.Clone(prev)
	next["lastName"] = "C"
	if err := validateProfile(next, prev); err != nil {
		t.Fatalf("updating another attribute: %v", err)
	}
	next["title"] += "t"
	if err := validateProfile(next, prev); err == nil {
		t.Fatal("a longer title was accepted")
	}
	if err := validateProfile(prev, nil); err == nil {
		t.Fatal("creating a user with a long title was accepted")
	}
}
