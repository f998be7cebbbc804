package scim

import (
	"encoding/json"
	"testing"
)

// Seeds are the shapes Okta and Microsoft Entra ID send, plus grammar corners.
var filterSeeds = []string{
	`userName eq "test.user@okta.local"`,
	`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
	`id eq "2819c223-7f76-453a-919d-413861904646"`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
	`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
	`title pr and not (active eq false)`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`,
	`urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType eq "External"`,
	`displayName eq "a\"b\\c\u00e9"`,
	`((((userName sw "a"))))`,
	`emails[primary eq "True"]`,
	`x509Certificates.value eq "AAEC" or nickName eq null`,
	`emails[type eq "work"].value eq "Test.User@okta.local"`,
	`EMAILS[TYPE EQ "work" OR type eq "home"].VALUE sw "t" and userName pr`,
}

func checkRejection(t *testing.T, err error) {
	t.Helper()
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("rejection %v (%T) is not a *scim.Error", err, err)
	}
	if e.Detail == "" || e.Status < 400 || e.Status > 499 {
		t.Fatalf("rejection without a client status and detail: %+v", e)
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	users := []map[string]any{babs(f), decode(f, janeJSON)}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(UserResourceType, s)
		if err != nil {
			checkRejection(t, err)
			return
		}
		for _, u := range users {
			flt.Match(u)
		}
		flt.Equality()
		// The normal form is a fixed point.
		norm := flt.String()
		again, err := ParseFilter(UserResourceType, norm)
		if err != nil {
			t.Fatalf("normal form %q of %q does not parse: %v", norm, s, err)
		}
		if again.String() != norm {
			t.Fatalf("normal form not stable: %q -> %q", norm, again.String())
		}
		for _, u := range users {
			if flt.Match(u) != again.Match(u) {
				t.Fatalf("%q and its normal form %q disagree", s, norm)
			}
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		`emails[type eq "work"].value`, `members[value eq "2819c223"]`, `name.familyName`, `active`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
		`urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType`,
		`urn:ietf:params:scim:schemas:extension:wrike:2.0:User`,
		`addresses[type eq "work"].streetAddress`, `roles[primary eq "True"].value`,
		`phoneNumbers[type eq "mobile" and value sw "+1"].value`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(UserResourceType, s)
		if err != nil {
			checkRejection(t, err)
			return
		}
		again, err := ParsePath(UserResourceType, p.String())
		if err != nil || again.String() != p.String() {
			t.Fatalf("path %q: normal form %q does not round-trip: %v", s, p.String(), err)
		}
	})
}

var patchSeeds = []string{
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"x@y.z"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","value":{"name.givenName":"John","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D","urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType":"collaborator"}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"value":"b@c.d","type":"home","primary":true}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[type eq \"work\"]"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"26118915"}]}`,
	`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"organization":"Acme"}}]}`,
	`{"operations":[{"OP":"REMOVE","PATH":"name.givenName"},{"op":"add","path":"x509Certificates","value":[{"value":"AAEC"}]}]}`,
	`{"Operations":[{"op":"replace","path":"phoneNumbers[type eq \"work\"]","value":{"value":"1","primary":"true"}}]}`,
}

func FuzzApplyPatch(f *testing.F) {
	for _, s := range patchSeeds {
		f.Add([]byte(s))
	}
	bases := []string{babsJSON, janeJSON}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodePatchRequest(body)
		if err != nil {
			checkRejection(t, err)
			return
		}
		for _, b := range bases {
			res := decode(t, b)
			out, err := ApplyPatch(UserResourceType, res, req.Operations)
			if mustJSON(t, res) != mustJSON(t, decode(t, b)) {
				t.Fatalf("ApplyPatch modified its input")
			}
			if err != nil {
				checkRejection(t, err)
				continue
			}
			// The result is a valid user: a create with it would be accepted.
			if _, err := Normalize(UserResourceType, roundTrip(t, out)); err != nil {
				t.Fatalf("patched resource is not valid: %v\n%s", err, mustJSON(t, out))
			}
		}
	})
}

func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("result does not marshal: %v", err)
	}
	return decode(t, string(b))
}

func FuzzNormalizeUser(f *testing.F) {
	for _, s := range []string{
		babsJSON, janeJSON,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2","userName":"Test_User","active":"True","emails":[{"primary":"true","type":"work","value":"a@b.c"}],"meta":{"resourceType":"User"},"name":{"formatted":"g f","familyName":"f","givenName":"g"},"roles":[]}`,
		`{"USERNAME":"x","name.givenName":"y","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"d","urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"external"}}`,
		`{"userName":"a","emails":{"value":"a@b.c"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m1"}}`,
		`{"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"a","emails":[{"value":"a@b.c","type":"work"},{"value":"A@B.C","type":"WORK","primary":true}]}}`,
		"{\"userName\":\"k\xffss\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeObject(body)
		if err != nil {
			checkRejection(t, err)
			return
		}
		before := mustJSON(t, in)
		out, err := Normalize(UserResourceType, in)
		if mustJSON(t, in) != before {
			t.Fatalf("Normalize modified its input")
		}
		if err != nil {
			checkRejection(t, err)
			return
		}
		// The canonical form is a fixed point.
		again, err := Normalize(UserResourceType, roundTrip(t, out))
		if err != nil {
			t.Fatalf("canonical form refused: %v\n%s", err, mustJSON(t, out))
		}
		if mustJSON(t, again) != mustJSON(t, out) {
			t.Fatalf("canonical form not stable:\n%s\n%s", mustJSON(t, out), mustJSON(t, again))
		}
		// A PUT of the same body onto the result changes nothing.
		merged, err := MergeReplace(UserResourceType, out, in)
		if err != nil {
			t.Fatalf("MergeReplace of the created body: %v", err)
		}
		if mustJSON(t, merged) != mustJSON(t, out) {
			t.Fatalf("PUT of the same body changed the resource:\n%s\n%s", mustJSON(t, out), mustJSON(t, merged))
		}
	})
}
