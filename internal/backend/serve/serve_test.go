package serve

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// run serves h through a Recorder and Recovered the way both faces do.
func run(t *testing.T, h http.HandlerFunc) (*httptest.ResponseRecorder, []any) {
	t.Helper()
	w := httptest.NewRecorder()
	var logged []any
	func() {
		rec := NewRecorder(w)
		defer func() {
			Recovered(recover(), rec, func(p any) { logged = append(logged, p) }, func(w http.ResponseWriter) {
				http.Error(w, "internal", http.StatusInternalServerError)
			})
		}()
		h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	return w, logged
}

func TestRecoveredAnswersAPanicWith500(t *testing.T) {
	w, logged := run(t, func(http.ResponseWriter, *http.Request) { panic("boom") })
	if w.Code != http.StatusInternalServerError || len(logged) != 1 || logged[0] != "boom" {
		t.Fatalf("status %d, logged %v", w.Code, logged)
	}
}

func TestRecoveredKeepsWhatTheHandlerWrote(t *testing.T) {
	w, logged := run(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		panic("late")
	})
	if w.Code != http.StatusCreated || len(logged) != 1 {
		t.Fatalf("status %d, logged %v", w.Code, logged)
	}
}

func TestRecoveredLeavesNoPanicAlone(t *testing.T) {
	w, logged := run(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	if w.Code != http.StatusOK || len(logged) != 0 || w.Body.String() != "ok" {
		t.Fatalf("status %d, logged %v, body %q", w.Code, logged, w.Body)
	}
}

func TestRecoveredPanicsAgainOnAbortHandler(t *testing.T) {
	defer func() {
		if p := recover(); p != http.ErrAbortHandler { //nolint:errorlint // the very value net/http panics with
			t.Fatalf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	run(t, func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	t.Fatal("no panic")
}

func TestRecorderRecordsTheFirstStatus(t *testing.T) {
	rec := NewRecorder(httptest.NewRecorder())
	if rec.Status != http.StatusOK || rec.Wrote {
		t.Fatalf("fresh recorder: %d %v", rec.Status, rec.Wrote)
	}
	rec.WriteHeader(http.StatusTeapot)
	rec.WriteHeader(http.StatusOK)
	if rec.Status != http.StatusTeapot || !rec.Wrote || rec.Unwrap() == nil {
		t.Fatalf("after two WriteHeader: %d %v", rec.Status, rec.Wrote)
	}
}
