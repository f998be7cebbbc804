package okta

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

type connectionJSON struct {
	AuthScheme string            `json:"authScheme"`
	BaseURL    *string           `json:"baseUrl,omitempty"`
	Profile    map[string]string `json:"profile,omitempty"`
	Status     string            `json:"status"`
	Links      map[string]any    `json:"_links"`
}

func renderConnection(r *http.Request, a store.OktaApp) connectionJSON {
	self := baseURL(r) + "/api/v1/apps/" + a.ID + "/connections/default"
	if !provisionableApps[a.Name] {
		return connectionJSON{AuthScheme: "UNKNOWN", Status: "UNKNOWN", Links: map[string]any{"self": link(self)}}
	}
	c := connectionJSON{AuthScheme: "TOKEN", Profile: map[string]string{"authScheme": "TOKEN"}, Status: a.ConnStatus,
		BaseURL: nullable(a.ConnBaseURL),
		Links: map[string]any{"self": link(self), "app": link(baseURL(r) + "/api/v1/apps/" + a.ID),
			"activate": link(self + "/lifecycle/activate"), "deactivate": link(self + "/lifecycle/deactivate")}}
	return c
}

var errNotProvisionable = invalid("connection", "connection: Provisioning through the API isn't supported for this app")

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) error {
	a, err := s.app(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderConnection(r, a))
	return nil
}

// setConnection saves the provisioning connection. With activate=true (the
// default) the credentials are tested first, like "Test API Credentials",
// and nothing is saved when the test fails.
func (s *Server) setConnection(w http.ResponseWriter, r *http.Request) error {
	a, err := s.app(r)
	if err != nil {
		return err
	}
	if !provisionableApps[a.Name] {
		return errNotProvisionable
	}
	var body struct {
		BaseURL string `json:"baseUrl"`
		Profile *struct {
			AuthScheme string `json:"authScheme"`
			Token      string `json:"token"`
		} `json:"profile"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	activate := true
	if v := r.URL.Query().Get("activate"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid("activate", "activate: must be true or false")
		}
		activate = b
	}
	var causes []string
	if body.Profile == nil {
		causes = append(causes, "profile: The field cannot be left blank")
	} else {
		if body.Profile.AuthScheme != "TOKEN" {
			causes = append(causes, "profile.authScheme: only TOKEN is supported, got "+strconv.Quote(body.Profile.AuthScheme))
		}
		if strings.TrimSpace(body.Profile.Token) == "" {
			causes = append(causes, "profile.token: The field cannot be left blank")
		}
	}
	base := strings.TrimRight(strings.TrimSpace(body.BaseURL), "/")
	if u, err := url.Parse(base); base == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		causes = append(causes, "baseUrl: must be an absolute http or https URL, got "+strconv.Quote(body.BaseURL))
	}
	if len(causes) > 0 {
		return invalid("connection", causes...)
	}
	token := strings.TrimSpace(body.Profile.Token)
	if activate {
		if err := s.testConnection(r, a, base, token); err != nil {
			return notFound(err, "App", a.ID)
		}
	}
	a, tasks, err := s.store.UpdateOktaApp(r.Context(), a.ID, func(a *store.OktaApp) (string, error) {
		a.ConnBaseURL, a.ConnToken, a.LastUpdated = base, token, s.timestamp()
		a.ConnStatus = "DISABLED"
		if activate {
			a.ConnStatus = "ENABLED"
			return "resync", nil
		}
		return "", nil
	})
	if err != nil {
		return notFound(err, "App", a.ID)
	}
	s.engine.enqueue(tasks)
	writeJSON(w, http.StatusOK, renderConnection(r, a))
	return nil
}

// testConnection runs "Test API Credentials" and logs the outcome.
func (s *Server) testConnection(r *http.Request, a store.OktaApp, base, token string) error {
	reason := s.scim.testCredentials(r.Context(), base, token)
	result := "SUCCESS"
	if reason != "" {
		result = "FAILURE"
	}
	p := principal(r.Context())
	ev := s.engine.event(eventInput{
		eventType: "application.provision.connection.test", message: "Test provisioning connection (Test API Credentials)",
		result: result, reason: reason,
		actor:   tokenActor(p),
		targets: []targetJSON{appTarget(a)},
		debug:   map[string]string{"baseUrl": base},
	})
	if err := s.store.AppendOktaLogEvents(r.Context(), []store.OktaLogEvent{ev}); err != nil {
		return err
	}
	if reason != "" {
		return invalid("connection", "Test API Credentials failed: "+reason)
	}
	return nil
}

func (s *Server) connectionLifecycle(activate bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.app(r)
		if err != nil {
			return err
		}
		if !provisionableApps[a.Name] {
			return errNotProvisionable
		}
		if activate {
			if a.ConnBaseURL == "" || a.ConnToken == "" {
				return invalid("connection", "connection: no baseUrl and token are saved yet")
			}
			if err := s.testConnection(r, a, a.ConnBaseURL, a.ConnToken); err != nil {
				return notFound(err, "App", a.ID)
			}
		}
		_, tasks, err := s.store.UpdateOktaApp(r.Context(), a.ID, func(a *store.OktaApp) (string, error) {
			a.LastUpdated = s.timestamp()
			if !activate {
				a.ConnStatus = "DISABLED"
				return "", nil
			}
			a.ConnStatus = "ENABLED"
			return "resync", nil
		})
		if err != nil {
			return notFound(err, "App", a.ID)
		}
		s.engine.enqueue(tasks)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
