package okta

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
)

// TestPanicAnswersOktaError: a handler that panics answers what every other
// failure of the face answers, Okta's error body (500 E0000009, JSON, an
// errorId) through fail, with nothing of the panic in it; the panic is
// logged, and the server goes on answering.
func TestPanicAnswersOktaError(t *testing.T) {
	ctx := context.Background()
	s, logged := newLoggedServer(t)
	const token = "00planted-panic-test-token"
	if err := s.AddAPIToken(ctx, "test", token); err != nil {
		t.Fatal(err)
	}
	const secret = "planted bug: secret=hunter2"
	s.mux.HandleFunc("GET /api/v1/panics", s.handle(func(http.ResponseWriter, *http.Request) error { panic(secret) }))

	call := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "SSWS "+token)
		s.ServeHTTP(rec, req)
		return rec
	}
	rec := call("/api/v1/panics")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q is not Okta's error body: %v", rec.Body, err)
	}
	if body.ErrorCode != "E0000009" || body.ErrorSummary != "Internal Server Error" || body.ErrorLink != "E0000009" ||
		!strings.HasPrefix(body.ErrorID, "oae") || body.ErrorCauses == nil || len(body.ErrorCauses) != 0 {
		t.Fatalf("body = %+v, want Okta's E0000009 error", body)
	}
	if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "planted") {
		t.Fatalf("the answer tells what panicked: %s", rec.Body)
	}
	if !strings.Contains(logged.String(), "handler panicked") {
		t.Fatalf("the panic is not logged: %s", logged.String())
	}
	if rec := call("/api/v1/users"); rec.Code != http.StatusOK {
		t.Fatalf("after the panic: GET /api/v1/users = %d, want 200", rec.Code)
	}
}

// TestClientGoneIsNoFailure: a request whose client left (the search it
// waited for a slot for, here) is not logged as a failure of the face.
func TestClientGoneIsNoFailure(t *testing.T) {
	ctx := context.Background()
	s, logged := newLoggedServer(t)
	left, cancel := context.WithCancel(ctx)
	cancel()
	req := httptest.NewRequestWithContext(left, http.MethodGet, "/api/v1/users", nil)
	s.fail(httptest.NewRecorder(), req, left.Err())
	if strings.Contains(logged.String(), "okta request failed") {
		t.Fatalf("a client that left is logged as a failure: %s", logged.String())
	}
	s.fail(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/users", nil), context.Canceled)
	if !strings.Contains(logged.String(), "okta request failed") {
		t.Fatal("a cancellation of the face's own, with the client still there, is not logged")
	}
}

// newLoggedServer is the face on a fresh store, its log kept in the buffer.
func newLoggedServer(t *testing.T) (*Server, *bytes.Buffer) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	logged := new(bytes.Buffer)
	s, err := New(ctx, Config{Store: store.NewOktaStore(db), Logger: slog.New(slog.NewTextHandler(logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, logged
}
