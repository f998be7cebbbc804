package scim

import (
	"testing"
)

// The examples of RFC 7644 itself, against the RFC 7643 example users.

func TestRFC7644FilterExamples(t *testing.T) {
	u := babs(t)
	u["userType"] = "Employee"
	u["ims"] = []any{map[string]any{"value": "babs@foo.com", "type": "xmpp"}}
	for filter, want := range map[string]bool{
		`userName eq "bjensen"`:                                      false,
		`userName eq "bjensen@example.com"`:                          true,
		`name.familyName co "O'Malley"`:                              false,
		`userName sw "J"`:                                            false,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B"`: true,
		`title pr`: true,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`:                                                       false,
		`meta.lastModified ge "2011-05-13T04:42:34Z"`:                                                       true,
		`meta.lastModified lt "2011-05-13T04:42:34Z"`:                                                       false,
		`meta.lastModified le "2011-05-13T04:42:34Z"`:                                                       true,
		`title pr and userType eq "Employee"`:                                                               true,
		`title pr or userType eq "Intern"`:                                                                  true,
		`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`:                           true,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`:             true,
		`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`:         false,
		`userType eq "Employee" and (emails.type eq "work")`:                                                true,
		`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`:                     true,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`: true,
	} {
		f, err := ParseFilter(UserResourceType, filter)
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		if got := f.Match(u); got != want {
			t.Errorf("%s: %v, want %v", filter, got, want)
		}
	}
}

func TestRFC7644PatchExamples(t *testing.T) {
	group := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"acbf3ae7-8463-4692-b4fd-9b4da3f908ce","displayName":"Tour Guides",
	  "members":[{"value":"2819c223-7f76-453a-919d-413861904646","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"},
	             {"value":"902c246b-6245-4190-8e05-00816be7344a","$ref":"https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`
	tests := []struct {
		name       string
		rt         *ResourceType
		start, ops string
		check      func(t *testing.T, res map[string]any)
	}{
		{"3.5.2.1 add a member", GroupResourceType, group,
			`[{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","value":"2819c223-7f76-453a-919d-413861904646"},
			  {"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210","value":"08e1d05d-121c-4561-8b96-473d93df9210"}]}]`,
			func(t *testing.T, res map[string]any) {
				if n := len(res["members"].([]any)); n != 3 {
					t.Errorf("%d members, want 3 (Babs is not added twice)", n)
				}
			}},
		{"3.5.2.1 pathless add", UserResourceType, babsJSON,
			`[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`,
			func(t *testing.T, res map[string]any) {
				if res["nickName"] != "Babs" || len(res["emails"].([]any)) != 2 {
					t.Errorf("got %s", mustJSON(t, res))
				}
			}},
		{"3.5.2.2 remove all members", GroupResourceType, group,
			`[{"op":"remove","path":"members"}]`,
			func(t *testing.T, res map[string]any) {
				if _, ok := res["members"]; ok {
					t.Error("members kept")
				}
			}},
		{"3.5.2.2 remove one member, then add one", GroupResourceType, group,
			`[{"op":"remove","path":"members[value eq\"2819c223-7f76-453a-919d-413861904646\"]"},
			  {"op":"add","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210","value":"08e1d05d-121c-4561-8b96-473d93df9210"}]}]`,
			func(t *testing.T, res map[string]any) {
				sameJSON(t, res["members"], `[{"value":"902c246b-6245-4190-8e05-00816be7344a","$ref":"https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"},
				  {"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210","value":"08e1d05d-121c-4561-8b96-473d93df9210"}]`)
			}},
		{"3.5.2.2 remove an x509 certificate", UserResourceType, babsJSON,
			`[{"op":"remove","path":"x509Certificates[value eq \"TUlJRE9qQ0NBaUtnQXdJQkFnSUxBT2Zr\"]"}]`,
			func(t *testing.T, res map[string]any) {
				if _, ok := res["x509Certificates"]; ok {
					t.Error("certificate kept")
				}
			}},
		{"3.5.2.3 replace all members", GroupResourceType, group,
			`[{"op":"replace","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","value":"2819c223-7f76-453a-919d-413861904646"}]}]`,
			func(t *testing.T, res map[string]any) {
				if n := len(res["members"].([]any)); n != 1 {
					t.Errorf("%d members, want 1", n)
				}
			}},
		{"3.5.2.3 replace the work address, then its street", UserResourceType,
			`{"userName":"bjensen","addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","primary":true},{"type":"home","locality":"Hollywood"}]}`,
			`[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}},
			  {"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]`,
			func(t *testing.T, res map[string]any) {
				sameJSON(t, res["addresses"], `[{"type":"work","streetAddress":"1010 Broadway Ave","locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true},
				  {"type":"home","locality":"Hollywood"}]`)
			}},
		{"3.5.2.3 pathless replace", UserResourceType, babsJSON,
			`[{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`,
			func(t *testing.T, res map[string]any) {
				if res["nickName"] != "Babs" || len(res["emails"].([]any)) != 2 {
					t.Errorf("got %s", mustJSON(t, res))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start, err := Normalize(tc.rt, decode(t, tc.start))
			if err != nil {
				t.Fatal(err)
			}
			got, err := patch(t, tc.rt, start, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+tc.ops+`}`)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, got)
		})
	}
}
