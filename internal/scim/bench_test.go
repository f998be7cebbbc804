package scim

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// The Wrike face answers Okta's `userName eq` lookups at tens of thousands per
// second: parse, index lookup, then Match to confirm the candidate.
func BenchmarkFilterParseMatchUserName(b *testing.B) {
	u := babs(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFilter(UserResourceType, `userName eq "bjensen@example.com"`)
		if err != nil || !f.Match(u) {
			b.Fatal("no match", err)
		}
		if _, ok := f.Equality(); !ok {
			b.Fatal("no equality")
		}
	}
}

func BenchmarkFilterMatchComplex(b *testing.B) {
	u := babs(b)
	f, err := ParseFilter(UserResourceType, `title pr and (emails[type eq "work" and value co "@EXAMPLE.com"] or userName sw "x") and not (active eq false) and meta.lastModified gt "2011-01-01T00:00:00Z"`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !f.Match(u) {
			b.Fatal("no match")
		}
	}
}

// A scan confirms a userName or emails.value equality on every user it
// examines: the cost of one Match is the cost per user.
func BenchmarkFilterMatchAddressPerUser(b *testing.B) {
	u := babs(b)
	for _, bc := range []struct{ name, filter string }{
		{"userName", `userName eq "BJensen@example.com"`},
		{"emails_value_path", `emails[type eq "work" and value eq "bjensen@EXAMPLE.com"]`},
		{"idn_or_ne", `userName eq "anna@bücher.example" or emails.value ne "babs@jensen.org"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pf, err := ParseFilter(UserResourceType, bc.filter)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if !pf.Match(u) {
					b.Fatal("no match")
				}
			}
		})
	}
}

func BenchmarkFilterParseComplex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilter(UserResourceType, `title pr and (emails[type eq "work" and value co "@EXAMPLE.com"] or userName sw "x") and not (active eq false) and meta.lastModified gt "2011-01-01T00:00:00Z"`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyPatchOktaDeactivate(b *testing.B) {
	benchPatch(b, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
}

func BenchmarkApplyPatchEntraUpdate(b *testing.B) {
	benchPatch(b, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
	  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
	  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"QA"},
	  {"op":"Replace","path":"active","value":"False"}]}`)
}

// benchPatch measures decoding the body and applying it, as a PATCH request does.
func benchPatch(b *testing.B, body string) {
	u := babs(b)
	raw := []byte(body)
	b.ReportAllocs()
	for b.Loop() {
		req, err := DecodePatchRequest(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ApplyPatch(UserResourceType, u, req.Operations); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeOktaCreate(b *testing.B) {
	raw := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"active":true}`)
	b.ReportAllocs()
	for b.Loop() {
		in, err := DecodeObject(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Normalize(UserResourceType, in); err != nil {
			b.Fatal(err)
		}
	}
}

// Entra adds group members in batches; a large group must not make PATCH quadratic.
func BenchmarkApplyPatchAddMembers(b *testing.B) {
	var cur, add []any
	for i := range 5000 {
		cur = append(cur, map[string]any{"value": fmt.Sprintf("m-%d", i)})
		add = append(add, map[string]any{"value": fmt.Sprintf("m-%d", i+4900)})
	}
	g := map[string]any{"displayName": "Everyone", "members": cur}
	ops := []PatchOperation{{Op: "add", Path: "members", Value: add}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ApplyPatch(GroupResourceType, g, ops); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCostUnits calibrates the cost model (internal/cost): ns/unit is
// the time of one unit, which cost.DefaultBudget and cost.DecodeWeight take
// to be about a nanosecond; decode compares the per-byte cost of decoding a
// stored resource with a byte compared.
func BenchmarkCostUnits(b *testing.B) {
	value := strings.Repeat("abcdefgh", 1024)               // 8 KiB, ASCII
	operand := strings.Repeat("abcdefgh", 127) + "abcdefgX" // 1 KiB, a near miss at every alignment
	res := map[string]any{"userName": "u@example.com", "title": value}
	for _, tc := range []struct{ name, filter string }{
		{"co_ascii", `title co "` + operand + `"`},
		{"co_nonascii", `title co "` + operand + `é"`},
		{"sw", `title sw "` + operand + `"`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f, err := ParseFilter(UserResourceType, tc.filter)
			if err != nil {
				b.Fatal(err)
			}
			m := cost.NewMeter(math.MaxInt64)
			for b.Loop() {
				f.MatchWithin(res, m)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(m.Spent()), "ns/unit")
		})
	}
	b.Run("decode", func(b *testing.B) {
		doc, _ := json.Marshal(babs(b))
		for b.Loop() {
			var m map[string]any
			if err := DecodeJSON(doc, &m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(doc)), "ns/byte")
	})
}
