package main

import (
	"net/http"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestConsoleOnBothFaces: the binary serves each face's console beside its
// API, and a console page needs a session.
func TestConsoleOnBothFaces(t *testing.T) {
	out, wrikeURL, stop := start(t, t.TempDir())
	defer func() { _ = stop() }()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, base := range []string{wrikeURL, oktaURL(t, out.String())} {
		for path, want := range map[string]int{"/console/login": http.StatusOK, "/console/": http.StatusSeeOther} {
			if a := backendtest.Send(client, http.MethodGet, base+path, nil).Sent(t); a.Status != want {
				t.Errorf("GET %s%s: %d, want %d", base, path, a.Status, want)
			}
		}
	}
}
