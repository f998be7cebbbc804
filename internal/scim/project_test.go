package scim

import (
	"strings"
	"testing"
)

func TestProjection(t *testing.T) {
	u := babs(t)
	u["password"] = "secret"
	const core = `"urn:ietf:params:scim:schemas:core:2.0:User"`
	tests := []struct {
		attributes, excluded string
		want                 string
	}{
		{"userName", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646","userName":"Bjensen@Example.com"}`},
		{"USERNAME,name.givenName", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646","userName":"Bjensen@Example.com","name":{"givenName":"Barbara"}}`},
		{"emails.value", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646","emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}]}`},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "",
			`{"schemas":[` + core + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646",
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}`},
		{"urn:ietf:params:scim:schemas:extension:wrike:2.0:User", "",
			`{"schemas":[` + core + `,"urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646",
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"Regular"}}`},
		{"password,id", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646"}`},
		{"nickName", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646"}`},
		{"meta.version", "", `{"schemas":[` + core + `],"id":"2819c223-7f76-453a-919d-413861904646","meta":{"version":"W/\"3694e05e9dff591\""}}`},
	}
	for _, tc := range tests {
		p, err := ParseProjection(UserResourceType, split(tc.attributes), split(tc.excluded))
		if err != nil {
			t.Fatalf("%s: %v", tc.attributes, err)
		}
		got := p.Apply(u)
		sameJSON(t, got, tc.want)
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func TestProjectionExcluded(t *testing.T) {
	u := babs(t)
	u["password"] = "secret"
	p, err := ParseProjection(UserResourceType, nil, []string{"emails,name.formatted,id,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,meta", "x509Certificates"})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Apply(u)
	want := babs(t)
	delete(want, "emails")
	delete(want, "meta")
	delete(want, "x509Certificates")
	delete(want, SchemaEnterpriseUser)
	delete(want["name"].(map[string]any), "formatted")
	want["schemas"] = []any{SchemaUser, SchemaWrikeUser}
	sameJSON(t, got, mustJSON(t, want)) // id stays: it is returned always; password never shows
	if strings.Contains(mustJSON(t, got), "secret") {
		t.Error("password returned")
	}
	// No parameters: everything but "never" attributes.
	p, _ = ParseProjection(UserResourceType, nil, nil)
	got = p.Apply(u)
	if _, ok := got["password"]; ok {
		t.Error("password returned by default")
	}
	sameJSON(t, got, babsJSON)
	if got := (*Projection)(nil).Apply(u); got["password"] != nil {
		t.Error("nil projection returned the password")
	}
}

func TestProjectionErrors(t *testing.T) {
	_, err := ParseProjection(UserResourceType, []string{"userName,nosuch"}, nil)
	wantError(t, err, 400, ErrInvalidValue, `attributes: unknown attribute "nosuch"`)
	_, err = ParseProjection(UserResourceType, nil, []string{"name.nosuch"})
	wantError(t, err, 400, ErrInvalidValue, `excludedAttributes: unknown sub-attribute`)
}
