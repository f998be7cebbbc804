package wrike_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestMixedScriptAddressesRefused: a userName or primary email that mixes
// scripts the way look-alikes do (a Cyrillic а among Latin letters) is a
// 400 naming the code point and the scripts, next to the real user; an
// approved domain with such a label is refused by the admin API; names in
// one other script, or Latin with Han and Kana, are accepted.
func TestMixedScriptAddressesRefused(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	id := createUser(t, sc, oktaUser("ann.lee@acme.example.com", "Ann", "Lee"))["id"].(string)

	lookAlike := "\u0430nn.lee@acme.example.com"
	for _, tc := range []struct{ name, method, path, body string }{
		{"create", "POST", "/Users", oktaUser(lookAlike, "Ann", "Lee")},
		{"primary email", "POST", "/Users", strings.Replace(oktaUser("ann.lee2@acme.example.com", "Ann", "Lee"),
			`"value":"ann.lee2@acme.example.com"`, `"value":"`+lookAlike+`"`, 1)},
		{"rename", "PATCH", "/Users/" + id, patchOps(`{"op":"replace","path":"userName","value":"` + lookAlike + `"}`)},
		{"domain label", "POST", "/Users", oktaUser("ann.lee@\u0430cme.example.com", "Ann", "Lee")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := scimDo(t, sc, tc.method, tc.path, tc.body)
			a.WantSCIMError(t, http.StatusBadRequest, "invalidValue")
			if d, _ := a.Body["detail"].(string); !strings.Contains(d, `U+0430 "а" is Cyrillic`) || !strings.Contains(d, "Latin") {
				t.Fatalf("detail does not name the code point and the scripts: %s", d)
			}
		})
	}
	if l := scimDo(t, sc, "GET", "/Users", "").Want(t, 200); l["totalResults"] != float64(1) {
		t.Fatalf("users after the look-alikes: %v", l["totalResults"])
	}
	createUser(t, sc, oktaUser("tanaka漢字かな@acme.example.com", "Taro", "Tanaka"))
	createUser(t, sc, oktaUser("анна@acme.example.com", "Anna", "Ivanova"))

	a := adminCall(t, env, "POST", "/approved_domains", `{"domain":"\u0430cme.example.com"}`)
	a.WantV4Error(t, http.StatusBadRequest, "invalid_parameter")
	if !strings.Contains(a.Raw, "U+0430") {
		t.Fatalf("the refusal does not name the code point: %s", a.Raw)
	}
	adminCall(t, env, "POST", "/approved_domains", `{"domain":"пример.example"}`).Data(t)
}
