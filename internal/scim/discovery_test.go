package scim

import (
	"encoding/json"
	"testing"
)

func TestPathParse(t *testing.T) {
	tests := []struct {
		in, want, schema, attr, sub string
		filter                      bool
	}{
		{"userName", "userName", "", "userName", "", false},
		{"NAME.GIVENNAME", "name.givenName", "", "name", "givenName", false},
		{`emails[type eq "work"].value`, `emails[type eq "work"].value`, "", "emails", "value", true},
		{`emails[TYPE Eq "work" and primary eq "True"]`, `emails[type eq "work" and primary eq true]`, "", "emails", "", true},
		{`members[value eq "2819c223"]`, "", "", "", "", false}, // Group path, checked below
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, SchemaEnterpriseUser, "department", "", false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, SchemaEnterpriseUser, "manager", "value", false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`, `emails[type eq "work"].value`, "", "emails", "value", true},
		{`urn:ietf:params:scim:schemas:extension:wrike:2.0:User`, `urn:ietf:params:scim:schemas:extension:wrike:2.0:User`, SchemaWrikeUser, "", "", false},
		{`addresses[type eq "work" or not (primary eq false)].postalCode`, `addresses[type eq "work" or not (primary eq false)].postalCode`, "", "addresses", "postalCode", true},
		{` title `, "title", "", "title", "", false},
	}
	for _, tc := range tests {
		if tc.want == "" {
			continue
		}
		p, err := ParsePath(UserResourceType, tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if p.String() != tc.want || p.Schema() != tc.schema || p.Attribute() != tc.attr || p.SubAttribute() != tc.sub || p.HasFilter() != tc.filter {
			t.Errorf("%s: got %s (%q %q %q %v)", tc.in, p, p.Schema(), p.Attribute(), p.SubAttribute(), p.HasFilter())
		}
	}
	if p, err := ParsePath(GroupResourceType, `members[value eq "2819c223"]`); err != nil || p.String() != `members[value eq "2819c223"]` {
		t.Errorf("group members path: %v %v", p, err)
	}
	bad := []struct{ in, detail string }{
		{"", "empty"},
		{"nosuch", `unknown attribute "nosuch"`},
		{"name.nosuch", "unknown sub-attribute"},
		{"name.givenName.x", "unknown sub-attribute"},
		{`emails[type eq "work"`, `expected "]"`},
		{`emails[type eq "work"]x`, `only ".subAttribute"`},
		{`emails[type eq "work"].`, `only ".subAttribute"`},
		{`emails[type eq "work"].nosuch`, `"nosuch" is not a sub-attribute`},
		{`emails[nosuch eq "work"]`, `not a sub-attribute`},
		{`emails[type eq]`, `comparison value`},
		{`name[givenName eq "x"]`, `multi-valued complex`},
		{`userName[value eq "x"]`, `multi-valued complex`},
		{`emails.value[type eq "x"]`, `multi-valued complex`},
		{`urn:example:other:User:x`, `unknown schema`},
		{`emails[type eq "a"][type eq "b"]`, `only ".subAttribute"`},
	}
	for _, tc := range bad {
		_, err := ParsePath(UserResourceType, tc.in)
		if err == nil {
			t.Errorf("%q accepted", tc.in)
			continue
		}
		wantError(t, err, 400, ErrInvalidPath, tc.detail)
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	const base = "https://wrike.example/scim/okta/v2"
	list := SchemasList(base, UserResourceType, GroupResourceType)
	if list.TotalResults != 4 || len(list.Resources) != 4 {
		t.Fatalf("schemas: %d", list.TotalResults)
	}
	var schemas struct {
		Resources []struct {
			ID         string `json:"id"`
			Attributes []struct {
				Name, Type, Mutability, Returned, Uniqueness string
				MultiValued, Required, CaseExact             bool
				CanonicalValues                              []string
				SubAttributes                                []struct{ Name, Mutability string }
			} `json:"attributes"`
			Meta struct{ ResourceType, Location string } `json:"meta"`
		}
	}
	if err := json.Unmarshal([]byte(mustJSON(t, list)), &schemas); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for i, s := range schemas.Resources {
		ids[s.ID] = i
		if s.Meta.ResourceType != "Schema" || s.Meta.Location != base+"/Schemas/"+s.ID {
			t.Errorf("%s: meta %+v", s.ID, s.Meta)
		}
	}
	user := schemas.Resources[ids[SchemaUser]]
	names := map[string]int{}
	for i, a := range user.Attributes {
		names[a.Name] = i
	}
	for _, n := range []string{"userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates"} {
		if _, ok := names[n]; !ok {
			t.Errorf("core User schema lacks %s", n)
		}
	}
	un := user.Attributes[names["userName"]]
	if !un.Required || un.CaseExact || un.Uniqueness != "server" || un.Type != "string" || un.Mutability != "readWrite" || un.Returned != "default" {
		t.Errorf("userName: %+v", un)
	}
	if g := user.Attributes[names["groups"]]; g.Mutability != "readOnly" || !g.MultiValued {
		t.Errorf("groups: %+v", g)
	}
	if p := user.Attributes[names["password"]]; p.Mutability != "writeOnly" || p.Returned != "never" {
		t.Errorf("password: %+v", p)
	}
	wrike := schemas.Resources[ids[SchemaWrikeUser]]
	if len(wrike.Attributes) != 1 || wrike.Attributes[0].Name != "userType" || len(wrike.Attributes[0].CanonicalValues) != 3 {
		t.Errorf("wrike extension: %+v", wrike.Attributes)
	}

	rts := ResourceTypesList(base, UserResourceType, GroupResourceType)
	sameJSON(t, rts.Resources[0], `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
	  "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
	  "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
	  "schemaExtensions": [
	    {"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false},
	    {"schema": "urn:ietf:params:scim:schemas:extension:wrike:2.0:User", "required": false}],
	  "meta": {"resourceType": "ResourceType", "location": "https://wrike.example/scim/okta/v2/ResourceTypes/User"}
	}`)

	cfg := ServiceProviderConfig(base+"/", ServiceProviderOptions{Patch: true, Filter: true, MaxResults: 200, ETag: true})
	sameJSON(t, cfg, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
	  "patch": {"supported": true},
	  "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
	  "filter": {"supported": true, "maxResults": 200},
	  "changePassword": {"supported": false},
	  "sort": {"supported": false},
	  "etag": {"supported": true},
	  "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
	    "description": "Authentication with a Wrike API app's permanent token sent as \"Authorization: Bearer <token>\".",
	    "specUri": "https://www.rfc-editor.org/info/rfc6750", "primary": true}],
	  "meta": {"resourceType": "ServiceProviderConfig", "location": "https://wrike.example/scim/okta/v2/ServiceProviderConfig"}
	}`)
}
