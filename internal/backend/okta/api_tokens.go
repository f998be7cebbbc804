package okta

import (
	"net/http"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// API token management (Okta's /api/v1/api-tokens): list and read token
// metadata, and revoke a token by id or the one the request carries. The
// token values themselves are never stored, so never shown. A revoked token
// is refused on the very next request: every request looks its hash up in
// the store.

type apiTokenJSON struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	ClientName  string            `json:"clientName"`
	Created     string            `json:"created"`
	LastUpdated string            `json:"lastUpdated"`
	Network     map[string]string `json:"network"`
	Links       map[string]any    `json:"_links"`
}

func renderAPIToken(r *http.Request, t store.OktaAPIToken) apiTokenJSON {
	return apiTokenJSON{
		ID: t.ID, Name: t.Name, ClientName: "Okta API", Created: t.Created, LastUpdated: t.Created,
		Network: map[string]string{"connection": "ANYWHERE"},
		Links:   map[string]any{"self": link(baseURL(r) + "/api/v1/api-tokens/" + t.ID)},
	}
}

func (s *Server) listAPITokens(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r, 20, 200)
	if err != nil {
		return notFound(err, "ApiToken", "")
	}
	prefix := strings.ToLower(r.URL.Query().Get("q"))
	tokens, err := s.store.OktaAPITokens(r.Context(), after, limit+1, func(t store.OktaAPIToken) bool {
		return strings.HasPrefix(strings.ToLower(t.Name), prefix)
	})
	if err != nil {
		return err
	}
	writePage(w, r, tokens, limit, func(t store.OktaAPIToken) string { return t.ID },
		func(t store.OktaAPIToken) apiTokenJSON { return renderAPIToken(r, t) })
	return nil
}

func (s *Server) getAPIToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	t, err := s.store.OktaAPIToken(r.Context(), id)
	if err != nil {
		return notFound(err, "ApiToken", id)
	}
	writeJSON(w, http.StatusOK, renderAPIToken(r, t))
	return nil
}

// revokeAPIToken revokes the token with the path's id, or with id
// "current" the token that authenticated the request, and records
// system.api_token.revoke in the System Log.
func (s *Server) revokeAPIToken(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("id")
	if id == "current" {
		id = p.ID
	}
	t, err := s.store.OktaAPIToken(r.Context(), id)
	if err == nil {
		ev := s.engine.event(eventInput{
			eventType: "system.api_token.revoke", message: "Revoke API token", result: "SUCCESS",
			actor:   tokenActor(p),
			targets: []targetJSON{{ID: t.ID, Type: "Token", AlternateID: t.Name, DisplayName: t.Name}},
		})
		err = s.store.DeleteOktaAPIToken(r.Context(), id, []store.OktaLogEvent{ev})
	}
	if err != nil {
		return notFound(err, "ApiToken", id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
