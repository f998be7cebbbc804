package wrike_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// clientForm is one request as a real SCIM client sends it, and what the
// Wrike face must answer.
type clientForm struct {
	client, what string
	method, path string // "{id}" is the user created by the row that set saveID
	contentType  string // "-" sends none
	body         string
	status       int
	scimType     string
	check        func(t *testing.T, body map[string]any)
	saveID       bool
}

func q(filter string) string { return url.QueryEscape(filter) }

func total(n float64) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		if b["totalResults"] != n {
			t.Fatalf("totalResults = %v, want %v", b["totalResults"], n)
		}
	}
}

func attr(path string, want any) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		if got := get(b, path); got != want {
			t.Fatalf("%s = %v, want %v", path, got, want)
		}
	}
}

// TestSCIMClientForms has one row per request form of Okta, Microsoft Entra
// ID, OneLogin and curl, in the order a provisioning run sends them.
func TestSCIMClientForms(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	entra := `{"schemas":["` + coreUser + `","` + enterprise + `"],"externalId":"0a21f0f2-8d2a","userName":"Entra.User@acme.example.com","active":true,
	  "emails":[{"primary":true,"type":"work","value":"Entra.User@acme.example.com"},{"type":"work","value":"entra.user@ACME.example.com"}],
	  "meta":{"resourceType":"User"},"name":{"familyName":"User","givenName":"Entra"},"roles":[],
	  "` + enterprise + `":{"employeeNumber":"701984","manager":"26118915"}}`
	rows := []clientForm{
		// Okta (the SPEC test's forms; spec_test.go runs the whole sequence).
		{client: "Okta", what: "test credentials", method: "GET", path: "/Users?startIndex=1&count=2", status: 200},
		{client: "Okta", what: "lookup before create", method: "GET", path: "/Users?filter=" + q(`userName eq "okta.user@acme.example.com"`) + "&startIndex=1&count=100", status: 200, check: total(0)},
		{client: "Okta", what: "create", method: "POST", path: "/Users", body: oktaUser("okta.user@acme.example.com", "Okta", "User"), status: 201, saveID: true, check: attr("active", true)},
		{client: "Okta", what: "lookup in other case", method: "GET", path: "/Users?filter=" + q(`userName eq "OKTA.USER@ACME.EXAMPLE.COM"`), status: 200, check: total(1)},
		{client: "Okta", what: "profile push (PUT)", method: "PUT", path: "/Users/{id}", body: strings.Replace(oktaUser("okta.user@acme.example.com", "Okta", "User"), `"title":"Engineer"`, `"title":"Lead"`, 1), status: 200, check: attr("title", "Lead")},
		{client: "Okta", what: "deactivate (pathless replace)", method: "PATCH", path: "/Users/{id}", body: `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`, status: 200, check: attr("active", false)},
		{client: "Okta", what: "group import probe", method: "GET", path: "/Groups?startIndex=1&count=100", status: 200, check: total(0)},

		// Microsoft Entra ID.
		{client: "Entra ID", what: "matching by externalId", method: "GET", path: "/Users?filter=" + q(`externalId eq "0a21f0f2-8d2a"`), status: 200, check: total(0)},
		{client: "Entra ID", what: "create (duplicate email collapsed, manager as an id)", method: "POST", path: "/Users", contentType: "application/scim+json; charset=utf-8", body: entra, status: 201, saveID: true,
			check: func(t *testing.T, b map[string]any) {
				if len(b["emails"].([]any)) != 1 || get(b, enterprise+"/manager/value") != "26118915" {
					t.Fatalf("Entra create: %v", b)
				}
			}},
		{client: "Entra ID", what: "matching by work email (value path and sub-attribute)", method: "GET", path: "/Users?filter=" + q(`emails[type eq "work"].value eq "ENTRA.USER@acme.example.com"`), status: 200, check: total(1)},
		{client: "Entra ID", what: "enterprise URN-qualified filter", method: "GET", path: "/Users?filter=" + q(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`), status: 200, check: total(1)},
		{client: "Entra ID", what: "operators and names in any case", method: "GET", path: "/Users?filter=" + q(`EXTERNALID EQ "0a21f0f2-8d2a" AND Active Eq True`), status: 200, check: total(1)},
		{client: "Entra ID", what: "update (Replace, filtered path, URN path, boolean as a string)", method: "PATCH", path: "/Users/{id}",
			body: `{"schemas":["` + patchOp + `"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"entra.user@acme.example.com"},` +
				`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"QA"},{"op":"Replace","path":"active","value":"False"}]}`,
			status: 200, check: func(t *testing.T, b map[string]any) {
				if get(b, "emails/0/value") != "entra.user@acme.example.com" || get(b, enterprise+"/department") != "QA" || b["active"] != false {
					t.Fatalf("Entra update: %v", b)
				}
			}},
		{client: "Entra ID", what: "group lookup with Group attributes", method: "GET", path: "/Groups?excludedAttributes=members&filter=" + q(`displayName eq "Sales"`), status: 200, check: total(0)},

		// OneLogin.
		{client: "OneLogin", what: "lookup", method: "GET", path: "/Users?filter=" + q(`userName eq "one.login@acme.example.com"`), status: 200, check: total(0)},
		{client: "OneLogin", what: "create with application/json", method: "POST", path: "/Users", contentType: "application/json", status: 201, saveID: true,
			body: `{"schemas":["` + coreUser + `"],"userName":"one.login@acme.example.com","name":{"givenName":"One","familyName":"Login"},"emails":[{"value":"one.login@acme.example.com","primary":true}],"active":true}`},
		{client: "OneLogin", what: "update (PUT, core attributes under the core URN)", method: "PUT", path: "/Users/{id}", contentType: "application/json; charset=utf-8", status: 200,
			body: `{"schemas":["` + coreUser + `"],"` + coreUser + `":{"userName":"one.login@acme.example.com","title":"Ops"}}`, check: attr("title", "Ops")},
		{client: "OneLogin", what: "sorted page, as discovery promises", method: "GET", path: "/Users?sortBy=userName&sortOrder=descending&count=1", status: 200, check: attr("Resources/0/userName", "one.login@acme.example.com")},

		// curl by hand.
		{client: "curl", what: "-d labels JSON as a form", method: "POST", path: "/Users", contentType: "application/x-www-form-urlencoded", status: 201, saveID: true,
			body: `{"schemas":["` + coreUser + `"],"userName":"curl.user@acme.example.com"}`},
		{client: "curl", what: "-H 'Content-Type:' sends none", method: "PATCH", path: "/Users/{id}", contentType: "-", status: 200,
			body: `{"Operations":[{"op":"replace","path":"title","value":"Hand-made"}]}`, check: attr("title", "Hand-made")},
		{client: "curl", what: "a form body is not JSON", method: "POST", path: "/Users", contentType: "application/x-www-form-urlencoded", body: "userName=x%40acme.example.com", status: 400, scimType: "invalidSyntax"},
		{client: "curl", what: "--data-urlencode filter", method: "GET", path: "/Users?filter=userName+eq+%22curl.user%40acme.example.com%22", status: 200, check: total(1)},
		{client: "curl", what: "PATCH naming another message schema", method: "PATCH", path: "/Users/{id}", status: 400, scimType: "invalidSyntax",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"Operations":[{"op":"replace","path":"title","value":"x"}]}`},
		{client: "curl", what: ".search naming another message schema", method: "POST", path: "/Users/.search", status: 400, scimType: "invalidSyntax",
			body: `{"schemas":["` + patchOp + `"],"filter":"title pr"}`},
		{client: "curl", what: "invalid UTF-8", method: "POST", path: "/Users", body: "{\"userName\":\"c\xe9@acme.example.com\"}", status: 400, scimType: "invalidSyntax"},
	}
	id := ""
	for _, r := range rows {
		t.Run(r.client+"/"+r.what, func(t *testing.T) {
			ct := r.contentType
			if ct == "" && r.body != "" {
				ct = "application/scim+json"
			}
			if ct == "-" {
				ct = ""
			}
			a := scimDo(t, sc, r.method, strings.ReplaceAll(r.path, "{id}", id), r.body, "Content-Type", ct)
			if r.status >= 400 {
				a.WantSCIMError(t, r.status, r.scimType)
				return
			}
			b := a.Want(t, r.status)
			if r.check != nil {
				r.check(t, b)
			}
			if r.saveID {
				id = b["id"].(string)
			}
		})
	}
}

// TestSCIMDiscoveryPromisesHold is a client that reads the discovery
// documents and does everything they promise, on every attribute the
// schemas list: it must never meet a 501 (or a 500).
func TestSCIMDiscoveryPromisesHold(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	calls := 0
	do := func(method, path, body string, headers ...string) backendtest.Answer {
		t.Helper()
		calls++
		a := scimDo(t, sc, method, path, body, headers...)
		if a.Status == 501 || a.Status >= 500 {
			t.Fatalf("%s %s: %d although discovery promised it: %s", method, path, a.Status, a.Raw)
		}
		return a
	}
	spc := do("GET", "/ServiceProviderConfig", "").Want(t, 200)
	supported := func(feature string) bool { return get(spc, feature+"/supported") == true }
	schemas := map[string]map[string]any{}
	for _, s := range do("GET", "/Schemas", "").Want(t, 200)["Resources"].([]any) {
		schemas[s.(map[string]any)["id"].(string)] = s.(map[string]any)
	}
	for _, r := range do("GET", "/ResourceTypes", "").Want(t, 200)["Resources"].([]any) {
		rt := r.(map[string]any)
		endpoint := rt["endpoint"].(string)
		// Every attribute path of the core schema and the extensions.
		var paths []string
		eqValue := map[string]string{} // a comparison value of each path's type
		sample := map[string]string{"string": `"x"`, "reference": `"x"`, "binary": `"AAEC"`, "boolean": "true",
			"dateTime": `"2026-01-01T00:00:00Z"`, "integer": "1", "decimal": "1.5"}
		addPaths := func(prefix string, s map[string]any) {
			for _, a := range s["attributes"].([]any) {
				am := a.(map[string]any)
				if am["returned"] == "never" {
					continue
				}
				name := prefix + am["name"].(string)
				paths = append(paths, name)
				eqValue[name] = sample[am["type"].(string)]
				for _, sub := range asList(am["subAttributes"]) {
					sm := sub.(map[string]any)
					paths = append(paths, name+"."+sm["name"].(string))
					eqValue[name+"."+sm["name"].(string)] = sample[sm["type"].(string)]
				}
			}
		}
		addPaths("", schemas[rt["schema"].(string)])
		for _, e := range asList(rt["schemaExtensions"]) {
			id := e.(map[string]any)["schema"].(string)
			if schemas[id] == nil {
				t.Fatalf("%s names schema %s, which /Schemas does not list", endpoint, id)
			}
			addPaths(id+":", schemas[id])
		}
		if len(paths) < 20 {
			t.Fatalf("%s: only %d attribute paths", endpoint, len(paths))
		}
		// Create with the required attributes (Wrike's rule: a userName in an approved domain).
		created := do("POST", endpoint, `{"schemas":["`+rt["schema"].(string)+`"],"userName":"promise@acme.example.com"}`).Want(t, 201)
		self := endpoint + "/" + created["id"].(string)
		do("GET", self, "").Want(t, 200)
		for _, p := range paths {
			do("GET", endpoint+"?filter="+q(p+" pr"), "").Want(t, 200)
			if v := eqValue[p]; v != "" {
				do("GET", endpoint+"?filter="+q(p+" eq "+v+" or not ("+p+" ne "+v+")"), "").Want(t, 200)
			}
			do("GET", self+"?attributes="+q(p), "").Want(t, 200)
			do("GET", endpoint+"?excludedAttributes="+q(p), "").Want(t, 200)
			if supported("sort") {
				do("GET", endpoint+"?sortBy="+q(p)+"&sortOrder=descending", "").Want(t, 200)
			}
		}
		do("POST", endpoint+"/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"promise@acme.example.com\"","count":1}`).Want(t, 200)
		put := do("PUT", self, `{"schemas":["`+rt["schema"].(string)+`"],"userName":"promise@acme.example.com","title":"Kept"}`)
		put.Want(t, 200)
		if supported("patch") {
			do("PATCH", self, `{"schemas":["`+patchOp+`"],"Operations":[{"op":"replace","path":"title","value":"Patched"}]}`).Want(t, 200)
		}
		if supported("etag") {
			do("PUT", self, `{"schemas":["`+rt["schema"].(string)+`"],"userName":"promise@acme.example.com"}`, "If-Match", put.Header.Get("ETag")).WantSCIMError(t, 412, "")
		}
		do("DELETE", self, "").Want(t, 204)
		do("GET", self, "").WantSCIMError(t, 404, "")
		do("DELETE", self, "").WantSCIMError(t, 404, "")
	}
	if calls < 100 {
		t.Fatalf("only %d calls", calls)
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }
