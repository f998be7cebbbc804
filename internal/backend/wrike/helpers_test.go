package wrike_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// hardAnswer is a SCIM answer.
type hardAnswer struct {
	status int
	etag   string
	raw    string
	body   map[string]any
}

// hardSCIMCall sends a SCIM request with token (empty: none) and headers as
// name, value pairs. It is safe from many goroutines: failures are returned
// in the answer's status (0) instead of stopping the test.
func hardSCIMCall(client *http.Client, method, url, token, body string, headers ...string) hardAnswer {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return hardAnswer{raw: err.Error()}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return hardAnswer{raw: err.Error()}
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	a := hardAnswer{status: resp.StatusCode, etag: resp.Header.Get("ETag"), raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &a.body)
	}
	return a
}

func (a hardAnswer) scimType() string { s, _ := a.body["scimType"].(string); return s }

// isSCIMError reports whether the answer is a SCIM Error of its own status
// with a detail.
func (a hardAnswer) isSCIMError() bool {
	schemas, _ := a.body["schemas"].([]any)
	d, _ := a.body["detail"].(string)
	return len(schemas) == 1 && schemas[0] == "urn:ietf:params:scim:api:messages:2.0:Error" &&
		a.body["status"] == fmt.Sprint(a.status) && d != ""
}

func hardWant(t testing.TB, a hardAnswer, status int, what string) map[string]any {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, a.status, status, a.raw)
	}
	return a.body
}

func hardWantError(t *testing.T, a hardAnswer, status int, scimType, what string) {
	t.Helper()
	if a.status != status || !a.isSCIMError() || (scimType != "" && a.scimType() != scimType) {
		t.Fatalf("%s: got %d %s, want a SCIM Error %d %s", what, a.status, a.raw, status, scimType)
	}
}

// hardOktaUser is the body Okta sends to create a user.
func hardOktaUser(login string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,`+
		`"name":{"givenName":"Hard","familyName":"Ening"},"emails":[{"primary":true,"value":%q,"type":"work"}],`+
		`"displayName":"Hard Ening","locale":"en-US","externalId":"00u%s","groups":[],"password":"xK9$long-enough","active":true}`,
		login, login, strings.NewReplacer("@", "", ".", "").Replace(login))
}

// hardCreate creates a user and returns its id and ETag.
func hardCreate(t testing.TB, sc backendtest.SCIM, login string) (string, string) {
	t.Helper()
	a := hardSCIMCall(nil, "POST", sc.BaseURL+"/Users", sc.Token, hardOktaUser(login))
	body := hardWant(t, a, http.StatusCreated, "create "+login)
	return body["id"].(string), a.etag
}
