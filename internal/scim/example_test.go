package scim_test

import (
	"encoding/json"
	"fmt"

	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

func ExampleParseFilter() {
	user, _ := scim.Normalize(scim.UserResourceType, map[string]any{
		"userName": "Test.User@okta.local",
		"emails":   []any{map[string]any{"value": "test.user@okta.local", "type": "work", "primary": "True"}},
	})
	f, err := scim.ParseFilter(scim.UserResourceType, `userName eq "test.user@okta.local"`)
	if err != nil {
		panic(err)
	}
	eq, _ := f.Equality()
	fmt.Println(eq.Attr, eq.Value, eq.CaseExact, f.Match(user))

	_, err = scim.ParseFilter(scim.UserResourceType, `userName eq 'x'`)
	fmt.Println(err)
	// Output:
	// userName test.user@okta.local false true
	// scim: 400 invalidFilter: strings in filters are enclosed in double quotes, not single quotes at offset 12 of filter "userName eq 'x'"
}

func ExampleApplyPatch() {
	user, _ := scim.Normalize(scim.UserResourceType, map[string]any{
		"userName": "jane@acme.example.com",
		"emails":   []any{map[string]any{"value": "jane@acme.example.com", "type": "work", "primary": true}},
		"active":   true,
	})
	// What Microsoft Entra ID sends when a user's mail and department change and the user is disabled.
	req, err := scim.DecodePatchRequest([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"jane.doe@acme.example.com"},
	  {"op":"Add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales"}},
	  {"op":"Replace","path":"active","value":"False"}]}`))
	if err != nil {
		panic(err)
	}
	patched, err := scim.ApplyPatch(scim.UserResourceType, user, req.Operations)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(patched)
	fmt.Println(string(b))
	// Output:
	// {"active":false,"emails":[{"primary":true,"type":"work","value":"jane.doe@acme.example.com"}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"},"userName":"jane@acme.example.com"}
}
