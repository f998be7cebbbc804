package wrike_test

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Look-alikes of kiss.example.com and of the address kiss@kiss.example.com:
// strings.EqualFold and strings.ToLower take each for the ASCII original.
var lookAlikeDomains = map[string]string{
	"\u212Aiss.example.com": "U+212A", // KELVIN SIGN
	"ki\u017Fs.example.com": "U+017F", // LATIN SMALL LETTER LONG S
	"k\u0130ss.example.com": "U+0130", // LATIN CAPITAL LETTER I WITH DOT ABOVE
	"ｋiss.example.com":      "U+FF4B", // FULLWIDTH LATIN SMALL LETTER K
}

func TestApprovedDomainsCanonicalForm(t *testing.T) {
	env := backendtest.Start(t)

	idn := adminCall(t, env, "POST", "/approved_domains", `{"domain":"Bücher.Example"}`).Data(t)
	if idn[0]["domain"] != "xn--bcher-kva.example" || idn[0]["unicodeDomain"] != "bücher.example" {
		t.Fatalf("an internationalised domain is stored as %v, want A-label domain and U-label unicodeDomain", idn[0])
	}
	for _, key := range []string{"bücher.example", "XN--BCHER-KVA.example", idn[0]["id"].(string)} {
		if got := adminCall(t, env, "GET", "/approved_domains/"+key, "").Data(t); got[0]["id"] != idn[0]["id"] {
			t.Fatalf("get by %q = %v", key, got)
		}
	}
	adminCall(t, env, "POST", "/approved_domains", `{"domain":"xn--bcher-kva.EXAMPLE"}`).WantV4Error(t, 409, "already_exists")
	ascii := adminCall(t, env, "POST", "/approved_domains", `{"domain":"ACME.Example.COM"}`).Data(t)
	if ascii[0]["domain"] != "acme.example.com" || ascii[0]["unicodeDomain"] != "acme.example.com" {
		t.Fatalf("ASCII domain = %v", ascii[0])
	}

	bad := map[string]string{
		"192.0.2.1":         "IP address",
		"[192.0.2.1]":       "address literal",
		"10.1":              "IP address",
		"acme.example.com.": "ends with a dot",
	}
	for d, why := range lookAlikeDomains {
		bad[d] = why
	}
	for d, why := range bad {
		a := adminCall(t, env, "POST", "/approved_domains", `{"domain":"`+d+`"}`)
		a.WantV4Error(t, 400, "invalid_parameter")
		if desc := a.Body["errorDescription"].(string); !strings.Contains(desc, d) || !strings.Contains(desc, why) {
			t.Errorf("domain %q refused with %q, want it named and %q", d, desc, why)
		}
	}
	if list := adminCall(t, env, "GET", "/approved_domains", "").Data(t); len(list) != 2 {
		t.Fatalf("after refused domains, list = %v", list)
	}
}

// TestSCIMLookAlikesCannotShadowUsers plants look-alikes before the real user
// arrives: each is refused, and the real user is then created and found.
func TestSCIMLookAlikesCannotShadowUsers(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "kiss.example.com")

	for d, why := range lookAlikeDomains {
		a := scimDo(t, sc, "POST", "/Users", oktaUser("kiss@"+d, "Mallory", "X"))
		a.WantSCIMError(t, 400, "invalidValue")
		if detail := a.Body["detail"].(string); !strings.Contains(detail, d) || !strings.Contains(detail, why) {
			t.Errorf("userName in %q refused with %q, want the domain named and %q", d, detail, why)
		}
	}
	for _, local := range []string{"\u212Aiss", "ki\u017Fs", "\u0130ss", "ｋiss"} {
		scimDo(t, sc, "POST", "/Users", oktaUser(local+"@kiss.example.com", "Mallory", "X")).WantSCIMError(t, 400, "invalidValue")
	}
	for addr, why := range map[string]string{
		"kiss@kiss.example.com@kiss.example.com":                       "2 '@' signs",
		strings.Repeat("k", 65) + "@kiss.example.com":                  "65 octets long (at most 64)",
		"kkkkkkkkkk@" + strings.Repeat("a.", 115) + "kiss.example.com": "octets long; an email address has at most 254",
		"kiss@kiss.example.com.":                                       "ends with a dot",
	} {
		a := scimDo(t, sc, "POST", "/Users", oktaUser(addr, "Mallory", "X"))
		a.WantSCIMError(t, 400, "invalidValue")
		if detail := a.Body["detail"].(string); !strings.Contains(detail, why) {
			t.Errorf("userName %q refused with %q, want %q", addr, detail, why)
		}
	}

	// Other emails may be in any domain, but must be addresses.
	a := scimDo(t, sc, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"kiss@kiss.example.com",
		"emails":[{"value":"kiss@kiss.example.com","primary":true},{"value":"kiss@home@example.net","type":"home"}]}`)
	a.WantSCIMError(t, 400, "invalidValue")
	if detail := a.Body["detail"].(string); !strings.Contains(detail, "kiss@home@example.net") {
		t.Errorf("a malformed secondary email refused with %q, want it named", detail)
	}

	genuine := createUser(t, sc, oktaUser("Kiss@Kiss.Example.com", "Kim", "Kiss"))
	found := scimDo(t, sc, "GET", filterQuery(`userName eq "kiss@kiss.example.com"`), "").Want(t, 200)
	if found["totalResults"] != float64(1) || get(found, "Resources/0/id") != genuine["id"] {
		t.Fatalf("filter for the real user = %v", found)
	}
	for d := range lookAlikeDomains {
		// Answered from the index, and by a scan (an "or" no index answers).
		for _, f := range []string{`userName eq "kiss@` + d + `"`, `userName eq "kiss@` + d + `" or title eq "nobody"`,
			`emails[value eq "kiss@` + d + `"] or title eq "nobody"`, `userName ne "kiss@` + d + `" and title eq "Engineer"`} {
			got := scimDo(t, sc, "GET", filterQuery(f), "").Want(t, 200)
			if want := float64(strings.Count(f, " ne ")); got["totalResults"] != want {
				t.Fatalf("filter %s found %v, want %v", f, got["totalResults"], want)
			}
		}
	}
	scimDo(t, sc, "POST", "/Users", oktaUser("KISS@kiss.example.com", "Kim", "Kiss")).WantSCIMError(t, 409, "uniqueness")
}

func TestSCIMInternationalisedDomain(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "bücher.example")

	u := createUser(t, sc, oktaUser("anna@bücher.example", "Anna", "B"))
	if u["userName"] != "anna@bücher.example" {
		t.Fatalf("userName not kept as sent: %v", u["userName"])
	}
	a := scimDo(t, sc, "POST", "/Users", oktaUser("Anna@xn--bcher-kva.example", "Anna", "B"))
	a.WantSCIMError(t, 409, "uniqueness")
	for _, f := range []string{`userName eq "anna@xn--bcher-kva.example"`, `userName eq "ANNA@bücher.example"`, `emails.value eq "anna@XN--BCHER-KVA.example"`,
		`userName eq "anna@xn--bcher-kva.example" and active eq true`, `emails[value eq "ANNA@xn--bcher-kva.example"] or title eq "nobody"`} {
		if got := scimDo(t, sc, "GET", filterQuery(f), "").Want(t, 200); got["totalResults"] != float64(1) {
			t.Fatalf("%s found %v", f, got)
		}
	}
	a = scimDo(t, sc, "POST", "/Users", oktaUser("bob@bücher.example.org", "Bob", "B"))
	a.WantSCIMError(t, 400, "invalidValue")
	if detail := a.Body["detail"].(string); !strings.Contains(detail, `"bücher.example.org" (xn--bcher-kva.example.org)`) {
		t.Fatalf("detail does not name the domain in both forms: %s", detail)
	}
	for _, d := range []string{"bücher.example", "xn--bcher-kva.example"} {
		users := adminCall(t, env, "GET", "/users?domain="+d, "").Data(t)
		if len(users) != 1 {
			t.Fatalf("admin users in %s = %v", d, users)
		}
	}
}

// TestSCIMUpdatesCannotLeaveApprovedDomains tries every PUT and PATCH form
// that can set userName or the primary email to a look-alike or an
// unapproved address; each is a 400 that changes nothing.
func TestSCIMUpdatesCannotLeaveApprovedDomains(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "kiss.example.com")
	u := createUser(t, sc, oktaUser("kim@kiss.example.com", "Kim", "Kiss"))
	id, version := u["id"].(string), get(u, "meta/version")

	for _, evil := range []string{"kim@\u212Aiss.example.com", "kim@evil.example.net", "kim@kiss.example.com@evil.example.net"} {
		for name, req := range map[string][2]string{
			"PUT":                    {"PUT", oktaUser(evil, "Kim", "Kiss")},
			"PATCH userName":         {"PATCH", patchOps(`{"op":"replace","path":"userName","value":"` + evil + `"}`)},
			"PATCH pathless":         {"PATCH", patchOps(`{"op":"replace","value":{"userName":"` + evil + `"}}`)},
			"PATCH pathless emails":  {"PATCH", patchOps(`{"op":"replace","value":{"emails":[{"value":"` + evil + `","primary":true}]}}`)},
			"PATCH emails":           {"PATCH", patchOps(`{"op":"replace","path":"emails","value":[{"value":"` + evil + `","primary":true,"type":"work"}]}`)},
			"PATCH add emails":       {"PATCH", patchOps(`{"op":"remove","path":"emails"},{"op":"add","path":"emails","value":[{"value":"` + evil + `","type":"work"}]}`)},
			"PATCH emails filter":    {"PATCH", patchOps(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"` + evil + `"}`)},
			"PATCH emails.value":     {"PATCH", patchOps(`{"op":"replace","path":"emails.value","value":"` + evil + `"}`)},
			"PATCH core URN":         {"PATCH", patchOps(`{"op":"replace","path":"` + coreUser + `:userName","value":"` + evil + `"}`)},
			"PATCH pathless URN key": {"PATCH", patchOps(`{"op":"replace","value":{"` + coreUser + `:userName":"` + evil + `"}}`)},
		} {
			a := scimDo(t, sc, req[0], "/Users/"+id, req[1])
			if a.Status != http.StatusBadRequest {
				t.Errorf("%s to %q: status %d, want 400: %s", name, evil, a.Status, a.Raw)
				continue
			}
			a.WantSCIMError(t, 400, "invalidValue")
		}
	}
	g := scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200)
	if g["userName"] != "kim@kiss.example.com" || get(g, "emails/0/value") != "kim@kiss.example.com" || get(g, "meta/version") != version {
		t.Fatalf("refused updates changed the user: %v", g)
	}
}

// TestSCIMReactivationNeedsApprovedDomain: a user whose domain approval was
// withdrawn can be updated and deactivated, but not made active (and
// billable) again until the domain is approved again.
func TestSCIMReactivationNeedsApprovedDomain(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "kiss.example.com")
	u := createUser(t, sc, oktaUser("kim@kiss.example.com", "Kim", "Kiss"))
	id := u["id"].(string)

	scimDo(t, sc, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"active","value":false}`)).Want(t, 200)
	adminCall(t, env, "DELETE", "/approved_domains/kiss.example.com", "").Data(t)
	// Still updatable while deactivated.
	if p := scimDo(t, sc, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"title","value":"Gone"}`)).Want(t, 200); p["title"] != "Gone" {
		t.Fatalf("update of a deactivated user = %v", p)
	}
	reactivations := map[string][2]string{
		"PUT":            {"PUT", oktaUser("kim@kiss.example.com", "Kim", "Kiss")},
		"PATCH active":   {"PATCH", patchOps(`{"op":"replace","path":"active","value":true}`)},
		"PATCH pathless": {"PATCH", patchOps(`{"op":"replace","value":{"active":true}}`)},
		"PATCH add":      {"PATCH", patchOps(`{"op":"add","path":"active","value":"True"}`)},
	}
	for name, req := range reactivations {
		a := scimDo(t, sc, req[0], "/Users/"+id, req[1])
		if a.Status != http.StatusBadRequest {
			t.Fatalf("%s reactivated a user of a withdrawn domain: %d %s", name, a.Status, a.Raw)
		}
		a.WantSCIMError(t, 400, "invalidValue")
		if d := a.Body["detail"].(string); !strings.Contains(d, "cannot be reactivated") || !strings.Contains(d, "kiss.example.com") {
			t.Fatalf("%s: detail %q does not say why", name, d)
		}
	}
	if acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]; acct["billableSeats"] != float64(0) || acct["deactivatedMembers"] != float64(1) {
		t.Fatalf("after refused reactivations, account = %v", acct)
	}
	// A repeated deactivation still succeeds.
	scimDo(t, sc, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"active","value":false}`)).Want(t, 200)

	adminCall(t, env, "POST", "/approved_domains", `{"domain":"kiss.example.com"}`).Data(t)
	if r := scimDo(t, sc, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"active","value":true}`)).Want(t, 200); r["active"] != true {
		t.Fatalf("reactivation after re-approval = %v", r)
	}
}

// TestSCIMLegacyLookAlikeRekeyedOnLoad: a look-alike stored before keys were
// canonical holds the real user's strings.ToLower key; after a restart it
// no longer shadows the real user.
func TestSCIMLegacyLookAlikeRekeyedOnLoad(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "kiss.example.com")
	planted := createUser(t, sc, oktaUser("kxss@kiss.example.com", "Mallory", "X"))

	// Rewrite the row as the old code stored a Kelvin-sign userName.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(env.DataDir, store.FileName)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec(`UPDATE wrike_users SET user_name_lower = 'kiss@kiss.example.com',
		resource = replace(resource, 'kxss@', ?) WHERE id = ?`, "\u212Aiss@", planted["id"]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE wrike_user_emails SET value = 'kiss@kiss.example.com' WHERE value = 'kxss@kiss.example.com'`); err != nil {
		t.Fatal(err)
	}
	restart(t, env, &sc)

	genuine := createUser(t, sc, oktaUser("kiss@kiss.example.com", "Kim", "Kiss"))
	for _, f := range []string{`userName eq "kiss@kiss.example.com"`, `emails.value eq "KISS@kiss.example.com"`} {
		found := scimDo(t, sc, "GET", filterQuery(f), "").Want(t, 200)
		if found["totalResults"] != float64(1) || get(found, "Resources/0/id") != genuine["id"] {
			t.Fatalf("%s after restart = %v", f, found)
		}
	}
	var key string
	if err := db.QueryRow(`SELECT user_name_lower FROM wrike_users WHERE id = ?`, planted["id"]).Scan(&key); err != nil || key != "\u212Aiss@kiss.example.com" {
		t.Fatalf("planted row key = %q, %v; want its own (non-canonical) key", key, err)
	}
}
