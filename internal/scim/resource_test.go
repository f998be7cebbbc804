package scim

import (
	"net/http"
	"slices"
	"testing"
)

func TestNormalizeOktaCreate(t *testing.T) {
	// The body Okta sends to POST /Users (Okta's SCIM 2.0 guide), with our extensions.
	in := decode(t, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
	  "userName": "test.user@okta.local",
	  "name": {"givenName": "Test", "familyName": "User"},
	  "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
	  "displayName": "Test User",
	  "locale": "en-US",
	  "externalId": "00ujl29u0le5T6Aj10h7",
	  "groups": [],
	  "password": "1mz050nq",
	  "active": true,
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Acme", "department": "R&D"},
	  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "external"}
	}`)
	got, err := Normalize(UserResourceType, in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
	  "userName": "test.user@okta.local",
	  "name": {"givenName": "Test", "familyName": "User"},
	  "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
	  "displayName": "Test User",
	  "locale": "en-US",
	  "externalId": "00ujl29u0le5T6Aj10h7",
	  "password": "1mz050nq",
	  "active": true,
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Acme", "department": "R&D"},
	  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "External"}
	}`)
	if _, ok := in["groups"]; !ok {
		t.Error("Normalize modified its input")
	}
}

func TestNormalizeEntraCreate(t *testing.T) {
	// The body Microsoft Entra ID sends to POST /Users (Microsoft's SCIM
	// endpoint guide): booleans as strings, enterprise attributes.
	in := decode(t, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	  "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
	  "active": "True",
	  "emails": [{"primary": "true", "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
	  "meta": {"resourceType": "User"},
	  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	  "roles": [],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Dept", "manager": {"value": "mgr-1"}}
	}`)
	got, err := Normalize(UserResourceType, in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	  "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
	  "active": true,
	  "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
	  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Dept", "manager": {"value": "mgr-1"}}
	}`)
}

func TestNormalizeCanonicalNames(t *testing.T) {
	in := decode(t, `{
	  "SCHEMAS": ["URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"],
	  "USERNAME": "a@b.c",
	  "Name": {"GIVENNAME": "A"},
	  "name.familyName": "B",
	  "EMAILS": {"VALUE": "a@b.c", "Primary": "False"},
	  "id": "client-chosen",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "D",
	  "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:WRIKE:2.0:USER": {"USERTYPE": "COLLABORATOR"},
	  "nickName": null,
	  "title": "",
	  "unknownAttribute": {"x": 1},
	  "urn:example:custom:2.0:User": {"x": 1}
	}`)
	got, err := Normalize(UserResourceType, in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	              "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
	  "userName": "a@b.c",
	  "name": {"givenName": "A", "familyName": "B"},
	  "emails": [{"value": "a@b.c", "primary": false}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D"},
	  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "Collaborator"}
	}`)
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		body, scimType, detail string
	}{
		{`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, ErrInvalidValue, `"userName" is required`},
		{`{"userName": ""}`, ErrInvalidValue, `"userName" is required`},
		{`{"userName": null}`, ErrInvalidValue, `"userName" is required`},
		{`{"userName": 42}`, ErrInvalidValue, `"userName" must be a string, not the number 42`},
		{`{"userName": ["a"]}`, ErrInvalidValue, `single-valued`},
		{`{"userName": "a", "active": "yes"}`, ErrInvalidValue, `"active" must be a boolean, not the string "yes"`},
		{`{"userName": "a", "active": 1}`, ErrInvalidValue, `"active" must be a boolean`},
		{`{"userName": "a", "name": "Babs"}`, ErrInvalidValue, `"name" must be a JSON object`},
		{`{"userName": "a", "emails": [["a@b.c"]]}`, ErrInvalidValue, `"emails" must be a JSON object`},
		{`{"userName": "a", "name": ["x"]}`, ErrInvalidValue, `single-valued`},
		{`{"userName": "a", "emails": [{"value": 1}]}`, ErrInvalidValue, `"emails.value" must be a string`},
		{`{"userName": "a", "emails": [{"value": "x", "primary": true}, {"value": "y", "primary": "True"}]}`, ErrInvalidValue, "2 values marked primary"},
		{`{"userName": "a", "x509Certificates": [{"value": "not base64!"}]}`, ErrInvalidValue, "base64"},
		{`{"userName": "a", "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "Admin"}}`, ErrInvalidValue, "one of Regular, External, Collaborator, not the string \"Admin\""},
		{`{"userName": "a", "password": 123456}`, ErrInvalidValue, `"password" must be a string, not a number`},
		{`{"userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "x"}`, ErrInvalidValue, "must be a JSON object"},
		{`{"userName": "a", "UserName": "b"}`, ErrInvalidSyntax, "more than once"},
		{`{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "userName": "a"}`, ErrInvalidSyntax, `must contain "urn:ietf:params:scim:schemas:core:2.0:User"`},
		{`{"schemas": "nope", "userName": "a"}`, ErrInvalidSyntax, `must contain`},
		{`{"schemas": [1], "userName": "a"}`, ErrInvalidSyntax, `only strings`},
		{`{"schemas": {}, "userName": "a"}`, ErrInvalidSyntax, `JSON array`},
	}
	for _, tc := range tests {
		// DecodeJSON, not DecodeObject: Normalize checks a map from any
		// source for names that differ only in case.
		var m map[string]any
		if err := DecodeJSON([]byte(tc.body), &m); err != nil {
			t.Fatal(err)
		}
		_, err := Normalize(UserResourceType, m)
		if err == nil {
			t.Errorf("%s: accepted", tc.body)
			continue
		}
		wantError(t, err, http.StatusBadRequest, tc.scimType, tc.detail)
	}
}

func TestNormalizeGroup(t *testing.T) {
	// Okta's POST /Groups body.
	got, err := Normalize(GroupResourceType, decode(t, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
	  "displayName": "Test SCIMv2",
	  "members": []
	}`))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2"}`)
	_, err = Normalize(GroupResourceType, decode(t, `{"members": [{"value": "x"}]}`))
	wantError(t, err, 400, ErrInvalidValue, `"displayName" is required`)
}

func TestAccessors(t *testing.T) {
	u := babs(t)
	if got := String(UserResourceType, u, "name.givenName"); got != "Barbara" {
		t.Errorf("name.givenName = %q", got)
	}
	if got := String(UserResourceType, u, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"); got != "Tour Operations" {
		t.Errorf("department = %q", got)
	}
	if got := String(UserResourceType, u, "emails"); got != "" {
		t.Errorf("String of a multi-valued attribute = %q", got)
	}
	if got := Primary(UserResourceType, u, "emails"); got != "bjensen@example.com" {
		t.Errorf("primary email = %q", got)
	}
	if got := Primary(UserResourceType, u, "phoneNumbers"); got != "555-555-5555" {
		t.Errorf("first phone = %q", got)
	}
	if b, ok := Bool(UserResourceType, u, "active"); !b || !ok {
		t.Errorf("active = %v %v", b, ok)
	}
	if _, ok := Bool(UserResourceType, map[string]any{}, "active"); ok {
		t.Error("unset active reported as set")
	}
}

func TestNormalizeCoreAttributesWrappedUnderTheCoreURN(t *testing.T) {
	// Some clients put the core attributes under the core schema URN, as they
	// do for an extension. They are read as if sent at the top level.
	got, err := Normalize(UserResourceType, decode(t, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	  "urn:ietf:params:scim:schemas:core:2.0:User": {"userName": "a@b.c", "name": {"givenName": "A"}, "schemas": ["x"]},
	  "active": true
	}`))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@b.c", "name": {"givenName": "A"}, "active": true}`)

	for body, detail := range map[string]string{
		`{"urn:ietf:params:scim:schemas:core:2.0:User": {"userName": "a@b.c"}, "USERNAME": "b@b.c"}`: `"userName" is given both at the top level and under "urn:ietf:params:scim:schemas:core:2.0:User"`,
		`{"urn:ietf:params:scim:schemas:core:2.0:User": "a@b.c"}`:                                    `"urn:ietf:params:scim:schemas:core:2.0:User" must be a JSON object of core attributes, not the string`,
	} {
		_, err := Normalize(UserResourceType, decode(t, body))
		wantError(t, err, http.StatusBadRequest, ErrInvalidSyntax, detail)
	}

	// The same in a PATCH: a pathless value, and the core URN as the path.
	for _, body := range []string{
		`{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"title":"Boss"}}}]}`,
		`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User","value":{"title":"Boss"}}]}`,
	} {
		out, err := patch(t, UserResourceType, decode(t, janeJSON), body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if out["title"] != "Boss" {
			t.Errorf("%s: title = %v", body, out["title"])
		}
	}
	_, err = patch(t, UserResourceType, decode(t, janeJSON), `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]}`)
	wantError(t, err, http.StatusBadRequest, ErrNoTarget, "name the attribute to remove")
}

func TestMultiValuedDuplicatesCollapse(t *testing.T) {
	// RFC 7643 §2.4: the same type and value once. emails.value is not
	// caseExact, so letter case does not make two addresses.
	got, err := Normalize(UserResourceType, decode(t, `{"userName": "a@b.c", "emails": [
	  {"value": "a@b.c", "type": "work"},
	  {"value": "A@B.C", "type": "WORK", "primary": true, "display": "A"},
	  {"value": "a@b.c", "type": "home"},
	  {"value": "a@b.c", "type": "work", "primary": true}
	], "phoneNumbers": [{"value": "1"}, {"value": "1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@b.c",
	  "emails": [{"value": "a@b.c", "type": "work", "primary": true, "display": "A"}, {"value": "a@b.c", "type": "home"}],
	  "phoneNumbers": [{"value": "1"}]}`)

	// Two different values marked primary stay an error.
	_, err = Normalize(UserResourceType, decode(t, `{"userName": "a@b.c", "emails": [{"value": "a@b.c", "primary": true}, {"value": "x@b.c", "primary": true}]}`))
	wantError(t, err, http.StatusBadRequest, ErrInvalidValue, "2 values marked primary")

	// PUT (MergeReplace) and PATCH collapse too.
	jane := decode(t, janeJSON)
	put, err := MergeReplace(UserResourceType, jane, decode(t, `{"userName": "jane@acme.example.com",
	  "emails": [{"value": "jane@acme.example.com", "type": "work"}, {"value": "JANE@acme.example.com", "type": "work", "primary": true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if l := put["emails"].([]any); len(l) != 1 || l[0].(map[string]any)["primary"] != true {
		t.Errorf("PUT emails = %v", l)
	}
	for _, body := range []string{
		`{"Operations":[{"op":"add","path":"emails","value":[{"value":"JANE@ACME.EXAMPLE.COM","type":"work","display":"J"}]}]}`,
		`{"Operations":[{"op":"add","value":{"emails":[{"value":"jane@acme.example.com","type":"Work"}]}}]}`,
		`{"Operations":[{"op":"add","path":"emails[type eq \"x\"]","value":{"value":"jane@acme.example.com"}},{"op":"replace","path":"emails[type eq \"x\"].type","value":"work"}]}`,
	} {
		out, err := patch(t, UserResourceType, jane, body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		l := out["emails"].([]any)
		if len(l) != 1 || l[0].(map[string]any)["primary"] != true || l[0].(map[string]any)["value"] != "jane@acme.example.com" {
			t.Errorf("%s: emails = %v", body, l)
		}
	}
}

// TestMultiValuedAddressesCollapseByKey: emails are the same value when their
// canonical addresses are (emails.value's Key), on POST, PUT and PATCH alike,
// as userName eq compares them: a look-alike never merges into the address it
// imitates, and one address written with its A-label domain merges into the
// same address written with U-labels.
func TestMultiValuedAddressesCollapseByKey(t *testing.T) {
	const (
		ascii  = "kiss@kiss.example.com"
		kelvin = "\u212Aiss@kiss.example.com" // KELVIN SIGN: strings.ToLower makes it "kiss@…"
		ulabel = "anna@bücher.example"
		alabel = "anna@XN--BCHER-KVA.example"
	)
	values := func(res map[string]any) []string {
		var out []string
		l, _ := res["emails"].([]any)
		for _, e := range l {
			v, _ := e.(map[string]any)["value"].(string)
			out = append(out, v)
		}
		return out
	}
	for _, tc := range []struct {
		name, cur, add string
		want           []string
	}{
		{"a look-alike is another value", ascii, kelvin, []string{ascii, kelvin}},
		{"an A-label domain is the same value", ulabel, alabel, []string{ulabel}},
		// mailaddr refuses the capital as a look-alike of "ä"; strings.ToLower folds it.
		{"a non-ASCII capital is another value", "ärger@kiss.example.com", "Ärger@kiss.example.com",
			[]string{"ärger@kiss.example.com", "Ärger@kiss.example.com"}},
	} {
		body := `{"userName":"` + tc.cur + `","emails":[{"value":"` + tc.cur + `","type":"work","primary":true},{"value":"` + tc.add + `","type":"work"}]}`
		created, err := Normalize(UserResourceType, decode(t, body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		cur := decode(t, `{"userName":"`+tc.cur+`","emails":[{"value":"`+tc.cur+`","type":"work","primary":true}]}`)
		put, err := MergeReplace(UserResourceType, cur, decode(t, body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for form, res := range map[string]map[string]any{"POST": created, "PUT": put} {
			if got := values(res); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %s emails = %+q, want %+q", tc.name, form, got, tc.want)
			}
		}
		for _, ops := range []string{
			`{"op":"add","path":"emails","value":[{"value":"` + tc.add + `","type":"work"}]}`,
			`{"op":"add","value":{"emails":[{"value":"` + tc.add + `","type":"work"}]}}`,
			`{"op":"add","path":"emails[value eq \"` + tc.add + `\"].type","value":"work"}`,
		} {
			out, err := patch(t, UserResourceType, cur, `{"Operations":[`+ops+`]}`)
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.name, ops, err)
			}
			if got := values(out); !slices.Equal(got, tc.want) {
				t.Errorf("%s: PATCH %s: emails = %+q, want %+q", tc.name, ops, got, tc.want)
			}
		}
	}

	// Removing an address by value leaves its look-alike, and removes the
	// address however its domain is written.
	both := decode(t, `{"userName":"`+ascii+`","emails":[{"value":"`+ascii+`","type":"work"},{"value":"`+kelvin+`","type":"home"},{"value":"`+ulabel+`"}]}`)
	out, err := patch(t, UserResourceType, both, `{"Operations":[{"op":"remove","path":"emails","value":[{"value":"KISS@kiss.example.com"},{"value":"`+alabel+`"}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := values(out); !slices.Equal(got, []string{kelvin}) {
		t.Errorf("remove by value: emails = %+q, want only the look-alike", got)
	}
}
