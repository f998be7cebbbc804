package okta

import (
	"errors"
	"net/http"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// appLifecycle activates or deactivates an app, as Okta's
// /lifecycle/activate and /lifecycle/deactivate do. A deactivated app
// provisions nobody until it is activated again.
func (s *Server) appLifecycle(status string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.app(r)
		if err != nil {
			return err
		}
		kind := ""
		if status == "ACTIVE" && a.Status != "ACTIVE" {
			kind = "resync" // what waited while the app was inactive
		}
		_, tasks, err := s.store.UpdateOktaApp(r.Context(), a.ID, func(a *store.OktaApp) (string, error) {
			a.Status, a.LastUpdated = status, s.timestamp()
			return kind, nil
		})
		if err != nil {
			return notFound(err, "App", a.ID)
		}
		s.engine.enqueue(tasks)
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// deleteApp deletes a deactivated app and everything attached to it; an
// active app is refused, as Okta refuses it.
func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("appId")
	err := s.store.DeleteOktaApp(r.Context(), id)
	if errors.Is(err, store.ErrConflict) {
		return apiErr(http.StatusBadRequest, "E0000056", "Delete application forbidden.",
			"Application "+id+" is ACTIVE: deactivate it (POST /api/v1/apps/"+id+"/lifecycle/deactivate) before deleting it.")
	}
	if err != nil {
		return notFound(err, "App", id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
