package wrike

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// TestPanicAnswersTheAPIsError: a handler that panics answers the error
// document of the API it was called on, as every other failure there does:
// on /scim/... a SCIM Error (application/scim+json, status "500"), on
// /api/v4 the admin API's server_error JSON. Neither tells what panicked;
// the panic is logged once, and the server goes on answering.
func TestPanicAnswersTheAPIsError(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var logged bytes.Buffer
	s, err := New(ctx, Config{Store: store.NewWrikeStore(db), Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "planted bug: secret=hunter2"
	panics := func(http.ResponseWriter, *http.Request) { panic(secret) }
	s.mux.HandleFunc("GET /scim/{provider}/v2/Panics", panics)
	s.mux.HandleFunc("GET /api/v4/panics", panics)

	call := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		logged.Reset()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("GET %s: status = %d, want 500", path, rec.Code)
		}
		if b := rec.Body.String(); strings.Contains(b, "hunter2") || strings.Contains(b, "planted") {
			t.Fatalf("GET %s: the answer tells what panicked: %s", path, b)
		}
		if n := strings.Count(logged.String(), "hunter2"); n != 1 || !strings.Contains(logged.String(), "handler panicked") {
			t.Fatalf("GET %s: the panic is logged %d times, want once: %s", path, n, logged.String())
		}
		return rec
	}

	rec := call("/scim/okta/v2/Panics")
	if ct := rec.Header().Get("Content-Type"); ct != scim.ContentType {
		t.Fatalf("SCIM: Content-Type = %q, want %q", ct, scim.ContentType)
	}
	var doc struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Detail  string   `json:"detail"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("SCIM: body %q is not JSON: %v", rec.Body, err)
	}
	if len(doc.Schemas) != 1 || doc.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" ||
		doc.Status != "500" || doc.Detail != "internal server error" {
		t.Fatalf("SCIM: body = %s, want a SCIM Error with status \"500\"", rec.Body)
	}

	rec = call("/api/v4/panics")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("admin API: Content-Type = %q, want application/json", ct)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("admin API: body %q is not JSON: %v", rec.Body, err)
	}
	if len(body) != 2 || body["error"] != "server_error" || body["errorDescription"] != "internal error" {
		t.Fatalf("admin API: body = %s, want the server_error body", rec.Body)
	}

	after := httptest.NewRecorder()
	s.ServeHTTP(after, httptest.NewRequest(http.MethodGet, "/scim/okta/v2/ServiceProviderConfig", nil))
	if after.Code != http.StatusUnauthorized {
		t.Fatalf("after the panics: an unauthenticated SCIM call = %d, want 401", after.Code)
	}
}
