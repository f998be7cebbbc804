package scim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// TestMatchWithinChargesBytes: a filter's cost is the bytes it examines,
// whatever its number of clauses: over random value and operand lengths,
// and random numbers of values of a multi-valued attribute, a budget of
// exactly what the comparisons cost admits the match and one unit less
// refuses it. Charging per comparison (the old model) breaks it.
func TestMatchWithinChargesBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 23))
	for range 300 {
		v, o := 1+rng.IntN(4096), 1+rng.IntN(512)
		op := []string{"co", "sw", "ew", "eq", "gt"}[rng.IntN(5)]
		values := 1 + rng.IntN(20)
		operand := strings.Repeat("b", o)
		var emails []any
		for range values {
			emails = append(emails, map[string]any{"value": strings.Repeat("a", v)})
		}
		res := map[string]any{"userName": "u@example.com", "title": strings.Repeat("a", v), "emails": emails}
		for _, tc := range []struct {
			filter string
			want   int64
		}{
			{fmt.Sprintf(`title %s %q`, op, operand), cost.Compare(op, v, o)},
			{fmt.Sprintf(`emails.value %s %q`, op, operand), int64(values) * cost.Compare(op, v, o)},
			{fmt.Sprintf(`title %s %q or title %s %q`, op, operand, op, operand), 2 * cost.Compare(op, v, o)},
		} {
			f, err := ParseFilter(UserResourceType, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			exact := cost.NewMeter(tc.want)
			f.MatchWithin(res, exact)
			if exact.Over() || exact.Spent() != tc.want {
				t.Fatalf("%s over %d×%d bytes: spent %d of %d, want exactly %d", clip(tc.filter, 40), values, v, exact.Spent(), tc.want, tc.want)
			}
			short := cost.NewMeter(tc.want - 1)
			f.MatchWithin(res, short)
			if tc.want > 1 && !short.Over() {
				t.Fatalf("%s: a budget one unit short (%d) is not exhausted", clip(tc.filter, 40), tc.want-1)
			}
		}
	}
}

// TestMatchWithinStopsEarly: past the budget the evaluation stops rather
// than examining every remaining value.
func TestMatchWithinStopsEarly(t *testing.T) {
	var emails []any
	for range 1000 {
		emails = append(emails, map[string]any{"value": strings.Repeat("a", 1000)})
	}
	f, err := ParseFilter(UserResourceType, `emails.value co "`+strings.Repeat("b", 1000)+`"`)
	if err != nil {
		t.Fatal(err)
	}
	m := cost.NewMeter(10 * 1000 * 1000)
	if f.MatchWithin(map[string]any{"emails": emails}, m) || !m.Over() {
		t.Fatal("matched or within budget")
	}
	if m.Spent() > 11*1000*1000 {
		t.Fatalf("examined %d bytes after the budget of %d was spent", m.Spent(), m.Limit())
	}
}

// TestApplyPatchWithinChargesBytes: every operation's path and every
// element its value filter examines is charged; a budget of exactly that
// admits the PATCH, one unit less is a 400 tooMany naming the limit, over
// random numbers of operations, elements and value lengths (a Group's
// members, which may be many).
func TestApplyPatchWithinChargesBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 23))
	for range 100 {
		n, k, v := 1+rng.IntN(50), 1+rng.IntN(200), 1+rng.IntN(200)
		var members []any
		for i := range k {
			members = append(members, map[string]any{"value": fmt.Sprintf("%0*d", v, i)})
		}
		res := map[string]any{"schemas": []any{SchemaGroup}, "displayName": "g", "members": members}
		var ops []PatchOperation
		var want int64
		for i := range n {
			// Matches no element, so each operation adds one (made from
			// its filter) that the next ones examine too.
			operand := fmt.Sprintf("%0*d", v, 1_000_000+i)
			path := fmt.Sprintf(`members[value eq %q].display`, operand)
			ops = append(ops, PatchOperation{Op: "replace", Path: path, Value: "x"})
			want += int64(len(path))
			for j := range k + i {
				value := fmt.Sprintf("%0*d", v, j)
				if j >= k {
					value = fmt.Sprintf("%0*d", v, 1_000_000+j-k)
				}
				want += 1 + cost.Compare("eq", len(value), len(operand))
			}
		}
		if _, err := ApplyPatchWithin(GroupResourceType, res, ops, cost.NewMeter(want)); err != nil {
			t.Fatalf("%d ops over %d members within a budget of %d: %v", n, k, want, err)
		}
		_, err := ApplyPatchWithin(GroupResourceType, res, ops, cost.NewMeter(want-1))
		e, ok := AsError(err)
		if !ok || e.Status != 400 || e.ScimType != ErrTooMany || !strings.Contains(e.Detail, fmt.Sprint(want-1)) {
			t.Fatalf("%d ops over %d members, one unit short: %v", n, k, err)
		}
	}
}
