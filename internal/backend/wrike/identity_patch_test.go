package wrike_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestSCIMEmailsCollapseByCanonicalAddress: two emails of a user are one when
// their canonical addresses are, whatever the request form. A look-alike sent
// next to the real address is refused, not merged into it (strings.ToLower
// takes U+212A KELVIN SIGN for "k"); the real address with its domain in
// A-labels merges into the one in U-labels.
func TestSCIMEmailsCollapseByCanonicalAddress(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "kiss.example.com", "bücher.example")
	kim := createUser(t, sc, oktaUser("kiss@kiss.example.com", "Kim", "Kiss"))
	id, version := kim["id"].(string), get(kim, "meta/version")

	// withKelvin is the address and its look-alike as work emails.
	withKelvin := func(addr string) string {
		return `[{"value":"` + addr + `","type":"work","primary":true},{"value":"\u212A` + addr[1:] + `","type":"work"}]`
	}
	const kelvin = "\u212Aiss@kiss.example.com"
	emails := withKelvin("kiss@kiss.example.com")
	for name, req := range map[string][2]string{
		"PATCH add emails":          {"PATCH", patchOps(`{"op":"add","path":"emails","value":[{"value":"` + kelvin + `","type":"work"}]}`)},
		"PATCH pathless add emails": {"PATCH", patchOps(`{"op":"add","value":{"emails":[{"value":"` + kelvin + `","type":"work"}]}}`)},
		"PATCH replace emails":      {"PATCH", patchOps(`{"op":"replace","path":"emails","value":` + emails + `}`)},
		"PATCH filtered add":        {"PATCH", patchOps(`{"op":"add","path":"emails[value eq \"` + kelvin + `\"].type","value":"work"}`)},
		"PUT":                       {"PUT", `{"schemas":["` + coreUser + `"],"userName":"kiss@kiss.example.com","emails":` + emails + `}`},
	} {
		a := scimDo(t, sc, req[0], "/Users/"+id, req[1])
		if a.Status != http.StatusBadRequest {
			t.Errorf("%s of a U+212A look-alike of the user's email: status %d, want 400: %s", name, a.Status, a.Raw)
			continue
		}
		a.WantSCIMError(t, 400, "invalidValue")
		if d := a.Body["detail"].(string); !strings.Contains(d, "U+212A") {
			t.Errorf("%s: detail %q does not name U+212A", name, d)
		}
	}
	if g := scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200); get(g, "meta/version") != version || len(g["emails"].([]any)) != 1 {
		t.Fatalf("refused updates changed the user: %v", g)
	}
	a := scimDo(t, sc, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"kim@kiss.example.com","emails":`+withKelvin("kim@kiss.example.com")+`}`)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Raw, "U+212A") {
		t.Errorf("POST of an email and its U+212A look-alike: status %d, want 400 naming U+212A: %s", a.Status, a.Raw)
	}

	anna := createUser(t, sc, oktaUser("anna@bücher.example", "Anna", "B"))
	id, version = anna["id"].(string), get(anna, "meta/version")
	p := scimDo(t, sc, "PATCH", "/Users/"+id, patchOps(`{"op":"add","path":"emails","value":[{"value":"Anna@XN--BCHER-KVA.example","type":"work"}]}`)).Want(t, 200)
	if l := p["emails"].([]any); len(l) != 1 || get(p, "emails/0/value") != "anna@bücher.example" || get(p, "meta/version") != version {
		t.Fatalf("PATCH add of the same address in A-labels: emails %v, version %v (was %v)", l, get(p, "meta/version"), version)
	}
}
