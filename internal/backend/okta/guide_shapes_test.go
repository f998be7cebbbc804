package okta_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// sentRequest is one SCIM request the engine sent, as the link saw it.
type sentRequest struct {
	method, path string
	query        url.Values
	body         map[string]any
}

// The engine's outbound SCIM requests have the shapes of Okta's SCIM 2.0
// guide (developer.okta.com, "Okta and SCIM Version 2.0"): the lookup
// before a create (GET /Users?filter=userName eq "…"&startIndex=1&count=100),
// the create body with externalId = the Okta user id, the PUT of the whole
// user with its id, and the deactivation PATCH (PatchOp, replace
// active=false); and Wrike keeps the externalId, shown by its admin API.
func TestOutboundRequestsHaveOktasShapes(t *testing.T) {
	o := newConnectedOrg(t)
	var mu sync.Mutex
	var sent []sentRequest
	o.link.mu.Lock()
	o.link.answer = func(r *http.Request) *reliabilitytest.Fault {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		s := sentRequest{method: r.Method, path: r.URL.Path, query: r.URL.Query()}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &s.body); err != nil {
				t.Errorf("%s %s: body is not JSON: %s", r.Method, r.URL.Path, raw)
			}
		}
		mu.Lock()
		sent = append(sent, s)
		mu.Unlock()
		return nil
	}
	o.link.mu.Unlock()

	const login = "ann@acme.example.com"
	ann := o.user(map[string]string{"login": login, "email": login, "firstName": "Ann", "lastName": "Lee"})
	o.assignUser(ann)
	o.wait()
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Lead"}}, nil)
	o.wait()
	o.unassignUser(ann)
	o.wait()

	mu.Lock()
	defer mu.Unlock()
	find := func(method string) sentRequest {
		t.Helper()
		for _, s := range sent {
			if s.method == method {
				return s
			}
		}
		t.Fatalf("no %s among the requests sent: %v", method, sent)
		return sentRequest{}
	}
	base := "/scim/okta/v2/Users"

	lookup := find(http.MethodGet)
	if lookup.path != base || lookup.query.Get("filter") != `userName eq "`+login+`"` ||
		lookup.query.Get("startIndex") != "1" || lookup.query.Get("count") != "100" {
		t.Errorf("lookup before create: %s %s?%s", lookup.method, lookup.path, lookup.query.Encode())
	}

	create := find(http.MethodPost)
	want := map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    login,
		"externalId":  ann,
		"name":        map[string]any{"givenName": "Ann", "familyName": "Lee"},
		"displayName": "Ann Lee",
		"emails":      []any{map[string]any{"primary": true, "value": login, "type": "work"}},
		"active":      true,
	}
	if create.path != base || !reflect.DeepEqual(create.body, want) {
		t.Errorf("create: POST %s\n got %v\nwant %v", create.path, create.body, want)
	}

	var wrikeID string
	var users struct {
		Data []struct{ ID, UserName, ExternalID string }
	}
	o.env.Admin(t, "GET", "/users", nil, &users)
	for _, u := range users.Data {
		if u.UserName == login {
			wrikeID = u.ID
			if u.ExternalID != ann {
				t.Errorf("Wrike's externalId of %s: %q, want the Okta user id %q", login, u.ExternalID, ann)
			}
		}
	}

	put := find(http.MethodPut)
	if put.path != base+"/"+wrikeID || put.body["id"] != wrikeID || put.body["userName"] != login ||
		put.body["externalId"] != ann || put.body["active"] != true || put.body["title"] != "Lead" {
		t.Errorf("profile push: PUT %s %v", put.path, put.body)
	}

	patch := find(http.MethodPatch)
	wantPatch := map[string]any{
		"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}},
	}
	if patch.path != base+"/"+wrikeID || !reflect.DeepEqual(patch.body, wantPatch) {
		t.Errorf("deactivation: PATCH %s\n got %v\nwant %v", patch.path, patch.body, wantPatch)
	}
}
