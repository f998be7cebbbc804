package okta

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

type statusObj struct {
	Status string `json:"status"`
}

type passwordObj struct {
	Status string `json:"status"`
	Seed   string `json:"seed,omitempty"`
	Change string `json:"change,omitempty"`
}

type capabilitiesJSON struct {
	Create *struct {
		LifecycleCreate *statusObj `json:"lifecycleCreate"`
	} `json:"create"`
	Update *struct {
		Profile             *statusObj   `json:"profile"`
		LifecycleDeactivate *statusObj   `json:"lifecycleDeactivate"`
		Password            *passwordObj `json:"password"`
	} `json:"update"`
}

type featureJSON struct {
	Name         string         `json:"name"`
	Status       string         `json:"status"`
	Description  string         `json:"description"`
	Capabilities map[string]any `json:"capabilities"`
	Links        map[string]any `json:"_links"`
}

func enabled(b bool) map[string]string {
	if b {
		return map[string]string{"status": "ENABLED"}
	}
	return map[string]string{"status": "DISABLED"}
}

const userProvisioning = "USER_PROVISIONING"

func renderFeature(r *http.Request, a store.OktaApp) featureJSON {
	self := baseURL(r) + "/api/v1/apps/" + a.ID + "/features/" + userProvisioning
	status := "DISABLED"
	if a.ConnStatus == "ENABLED" {
		status = "ENABLED"
	}
	return featureJSON{
		Name: userProvisioning, Status: status, Description: "User provisioning settings from Okta to a downstream app",
		Capabilities: map[string]any{
			"create": map[string]any{"lifecycleCreate": enabled(a.FeatCreate)},
			"update": map[string]any{
				"profile":             enabled(a.FeatUpdate),
				"lifecycleDeactivate": enabled(a.FeatDeactivate),
				"password":            passwordObj{Status: "DISABLED", Seed: "RANDOM", Change: "KEEP_EXISTING"},
			},
		},
		Links: map[string]any{"self": map[string]any{"href": self, "hints": map[string]any{"allow": []string{"GET", "PUT"}}}},
	}
}

func (s *Server) listFeatures(w http.ResponseWriter, r *http.Request) error {
	a, err := s.app(r)
	if err != nil {
		return err
	}
	out := []featureJSON{}
	if provisionableApps[a.Name] {
		out = append(out, renderFeature(r, a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// feature is the app of a request naming its provisioning feature.
func (s *Server) feature(r *http.Request) (store.OktaApp, error) {
	a, err := s.app(r)
	if err != nil {
		return a, err
	}
	if name := r.PathValue("name"); name != userProvisioning || !provisionableApps[a.Name] {
		return a, resourceNotFound(name, "AppFeature")
	}
	return a, nil
}

func (s *Server) getFeature(w http.ResponseWriter, r *http.Request) error {
	a, err := s.feature(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderFeature(r, a))
	return nil
}

// updateFeature changes the USER_PROVISIONING capabilities given in the body
// (Okta's CapabilitiesObject) and keeps the others. Enabling Create users
// queues the assigned users that are not provisioned yet.
func (s *Server) updateFeature(w http.ResponseWriter, r *http.Request) error {
	a, err := s.feature(r)
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := decode(w, r, &raw); err != nil {
		return err
	}
	var caps capabilitiesJSON
	src, err := json.Marshal(raw)
	if inner, ok := raw["capabilities"]; ok {
		src = inner
	}
	if err == nil {
		err = json.Unmarshal(src, &caps)
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
	}
	var causes []string
	toggle := func(path string, o *statusObj) *bool {
		if o == nil {
			return nil
		}
		switch o.Status {
		case "ENABLED":
			return ptr(true)
		case "DISABLED":
			return ptr(false)
		}
		causes = append(causes, path+".status: must be ENABLED or DISABLED, got "+strconv.Quote(o.Status))
		return nil
	}
	var create, update, deactivate *bool
	if caps.Create != nil {
		create = toggle("create.lifecycleCreate", caps.Create.LifecycleCreate)
	}
	if caps.Update != nil {
		update = toggle("update.profile", caps.Update.Profile)
		deactivate = toggle("update.lifecycleDeactivate", caps.Update.LifecycleDeactivate)
		if p := caps.Update.Password; p != nil && p.Status != "" && p.Status != "DISABLED" {
			causes = append(causes, "update.password.status: password sync is not supported for this app; only DISABLED is accepted")
		}
	}
	if len(causes) > 0 {
		return invalid("capabilities", causes...)
	}
	a, tasks, err := s.store.UpdateOktaApp(r.Context(), a.ID, func(a *store.OktaApp) (string, error) {
		turnedOn := create != nil && *create && !a.FeatCreate
		if create != nil {
			a.FeatCreate = *create
		}
		if update != nil {
			a.FeatUpdate = *update
		}
		if deactivate != nil {
			a.FeatDeactivate = *deactivate
		}
		a.LastUpdated = s.timestamp()
		if turnedOn && a.ConnStatus == "ENABLED" {
			return "resync", nil
		}
		return "", nil
	})
	if err != nil {
		return notFound(err, "App", a.ID)
	}
	s.engine.enqueue(tasks)
	writeJSON(w, http.StatusOK, renderFeature(r, a))
	return nil
}

func ptr[T any](v T) *T { return &v }
