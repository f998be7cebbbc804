package scim

import (
	"testing"
)

// The request bodies below are the ones Okta ("Okta and SCIM Version 2.0",
// developer.okta.com) and Microsoft Entra ID ("Develop and plan provisioning
// for a SCIM endpoint", learn.microsoft.com, and the aadOptscim062020 notes)
// document for their provisioning clients. Each step applies to the result of
// the previous one, as a provisioning run does.

type idpStep struct {
	name string
	body string // PATCH body
	want string // the whole resource afterwards, without id and meta
}

func runSteps(t *testing.T, rt *ResourceType, start string, steps []idpStep) {
	t.Helper()
	res, err := Normalize(rt, decode(t, start))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	const id = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"
	res["id"] = id
	for _, s := range steps {
		next, err := patch(t, rt, res, s.body)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if next["id"] != id {
			t.Fatalf("%s: id changed to %v", s.name, next["id"])
		}
		shown := CloneResource(next)
		delete(shown, "id")
		t.Run(s.name, func(t *testing.T) { sameJSON(t, shown, s.want) })
		res = next
	}
}

func TestOktaUserLifecycle(t *testing.T) {
	runSteps(t, UserResourceType, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	  "userName": "test.user@okta.local",
	  "name": {"givenName": "Test", "familyName": "User"},
	  "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
	  "displayName": "Test User",
	  "locale": "en-US",
	  "externalId": "00ujl29u0le5T6Aj10h7",
	  "groups": [],
	  "active": true
	}`, []idpStep{
		{
			name: "deactivate",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
			  "name":{"givenName":"Test","familyName":"User"},
			  "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			  "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","active":false}`,
		},
		{
			name: "reactivate",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
			  "name":{"givenName":"Test","familyName":"User"},
			  "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			  "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","active":true}`,
		},
		{
			name: "password sync",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"password":"1mz050nq"}}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
			  "name":{"givenName":"Test","familyName":"User"},
			  "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			  "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","active":true,"password":"1mz050nq"}`,
		},
	})
}

func TestOktaGroupPushLifecycle(t *testing.T) {
	runSteps(t, GroupResourceType, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
	  "displayName": "Test SCIMv2",
	  "members": [{"value": "b1c794f24f4c49f4b5d503a4cb2686ea", "display": "SCIM 2 Group A"}]
	}`, []idpStep{
		{
			name: "rename with an echoed id",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2 renamed"}}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2 renamed",
			  "members":[{"value":"b1c794f24f4c49f4b5d503a4cb2686ea","display":"SCIM 2 Group A"}]}`,
		},
		{
			name: "add a member",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2 renamed",
			  "members":[{"value":"b1c794f24f4c49f4b5d503a4cb2686ea","display":"SCIM 2 Group A"},
			             {"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}`,
		},
		{
			name: "remove a member with a filter",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"b1c794f24f4c49f4b5d503a4cb2686ea\"]"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2 renamed",
			  "members":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}`,
		},
		{
			name: "replace all members",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"value":"m3","display":"m3@okta.local"}]}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2 renamed",
			  "members":[{"value":"m3","display":"m3@okta.local"}]}`,
		},
	})
}

func TestEntraUserLifecycle(t *testing.T) {
	runSteps(t, UserResourceType, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	  "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
	  "active": true,
	  "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
	  "meta": {"resourceType": "User"},
	  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	  "roles": []
	}`, []idpStep{
		{
			name: "update multi-valued properties",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
			  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1","active":true,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "name":{"formatted":"givenName familyName","familyName":"updatedFamilyName","givenName":"givenName"}}`,
		},
		{
			name: "update single-valued properties",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","active":true,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "name":{"formatted":"givenName familyName","familyName":"updatedFamilyName","givenName":"givenName"}}`,
		},
		{
			name: "add a phone, title and department with Add ops, booleans as strings",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			  {"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1 425 555 0100"},
			  {"op":"Add","path":"title","value":"Tester"},
			  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"QA"},
			  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"26118915-6090-4610-87e4-49d8ca9f808d"},
			  {"op":"Replace","path":"emails[type eq \"work\"].primary","value":"True"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","active":true,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "phoneNumbers":[{"type":"work","value":"+1 425 555 0100"}],
			  "title":"Tester",
			  "name":{"formatted":"givenName familyName","familyName":"updatedFamilyName","givenName":"givenName"},
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"QA","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
		},
		{
			name: "pathless Add with dotted and URN-qualified keys (before aadOptscim062020)",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","value":{
			  "displayName":"Babs",
			  "name.givenName":"Barbara",
			  "name.familyName":"Jensen",
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701984",
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType":"External"}}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","active":true,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "phoneNumbers":[{"type":"work","value":"+1 425 555 0100"}],
			  "title":"Tester","displayName":"Babs",
			  "name":{"formatted":"givenName familyName","familyName":"Jensen","givenName":"Barbara"},
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"QA","employeeNumber":"701984","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}},
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"External"}}`,
		},
		{
			name: "remove the manager and the phone",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			  {"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
			  {"op":"Remove","path":"phoneNumbers[type eq \"work\"].value"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","active":true,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "phoneNumbers":[{"type":"work"}],
			  "title":"Tester","displayName":"Babs",
			  "name":{"formatted":"givenName familyName","familyName":"Jensen","givenName":"Barbara"},
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"QA","employeeNumber":"701984"},
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"External"}}`,
		},
		{
			name: "disable with the string False",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
			  "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","active":false,
			  "emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
			  "phoneNumbers":[{"type":"work"}],
			  "title":"Tester","displayName":"Babs",
			  "name":{"formatted":"givenName familyName","familyName":"Jensen","givenName":"Barbara"},
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"QA","employeeNumber":"701984"},
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"External"}}`,
		},
	})
}

func TestEntraGroupLifecycle(t *testing.T) {
	runSteps(t, GroupResourceType, `{
	  "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
	  "displayName": "displayName",
	  "meta": {"resourceType": "Group"},
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]
	}`, []idpStep{
		{
			name: "add members",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"},{"$ref":null,"value":"a2d83bcae3bd4b9f9d1c"}]}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName",
			  "members":[{"value":"f648f8d5ea4e4cd38e9c"},{"value":"a2d83bcae3bd4b9f9d1c"}]}`,
		},
		{
			name: "remove members by value",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName",
			  "members":[{"value":"a2d83bcae3bd4b9f9d1c"}]}`,
		},
		{
			name: "update non-member attributes",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
			  "members":[{"value":"a2d83bcae3bd4b9f9d1c"}]}`,
		},
		{
			name: "remove the last member with a filter (after aadOptscim062020)",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"a2d83bcae3bd4b9f9d1c\"]"}]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}`,
		},
	})
}

func TestIdentityProviderFilters(t *testing.T) {
	u, err := Normalize(UserResourceType, decode(t, `{"userName":"Test.User@okta.local","externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","emails":[{"value":"test.user@okta.local","type":"work","primary":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[string]bool{
		`userName eq "test.user@okta.local"`:                        true, // Okta, before every create
		`userName eq "TEST.USER@OKTA.LOCAL"`:                        true, // the SPEC test's randomUsernameCaps
		`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`:      true, // Entra's matching attribute
		`userName eq "Test.User@okta.local" and active eq true`:     false,
		`emails[type eq "work"].value eq "x"`:                       false,
		`emails[type eq "work"].value eq "TEST.user@okta.local"`:    true, // Entra ID's email matching
		`emails[type eq "home"].value eq "test.user@okta.local"`:    false,
		`EMAILS[TYPE EQ "work"].VALUE EQ "test.user@okta.local"`:    true,
		`emails[primary eq true].value pr`:                          true,
		`emails[type eq "work" or type eq "home"].value sw "test."`: true,
	} {
		f, err := ParseFilter(UserResourceType, filter)
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		if got := f.Match(u); got != want {
			t.Errorf("%s: %v", filter, got)
		}
	}
}
