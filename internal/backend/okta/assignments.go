package okta

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// assignmentProfile validates an assignment profile: only userType, one of
// the Wrike user types, or null.
func assignmentProfile(in map[string]*string) (map[string]string, error) {
	out := map[string]string{}
	var causes []string
	for _, k := range sortedKeys(in) {
		v := in[k]
		if k != "userType" {
			causes = append(causes, "profile."+k+": Property name '"+k+"' is not defined in the app user profile (only userType is)")
			continue
		}
		if v == nil || *v == "" {
			continue
		}
		if !userTypes[*v] {
			causes = append(causes, "profile.userType: must be Regular, External or Collaborator, got "+strconv.Quote(*v))
			continue
		}
		out[k] = *v
	}
	if len(causes) > 0 {
		return nil, invalid("profile", causes...)
	}
	return out, nil
}

func renderProfile(p map[string]string) map[string]any {
	out := map[string]any{"userType": nil}
	for k, v := range p {
		out[k] = v
	}
	return out
}

type appGroupJSON struct {
	ID          string         `json:"id"`
	LastUpdated string         `json:"lastUpdated"`
	Priority    int            `json:"priority"`
	Profile     map[string]any `json:"profile"`
	Links       map[string]any `json:"_links"`
}

func renderAppGroup(r *http.Request, g store.OktaAppGroup) appGroupJSON {
	app := baseURL(r) + "/api/v1/apps/" + g.AppID
	return appGroupJSON{ID: g.GroupID, LastUpdated: g.LastUpdated, Priority: g.Priority, Profile: renderProfile(g.Profile),
		Links: map[string]any{"app": link(app), "self": link(app + "/groups/" + g.GroupID),
			"group": link(baseURL(r) + "/api/v1/groups/" + g.GroupID)}}
}

func (s *Server) listAppGroups(w http.ResponseWriter, r *http.Request) error {
	appID := r.PathValue("appId")
	after, limit, err := pageParams(r, 20, 200)
	if err != nil {
		return notFound(err, "App", appID)
	}
	groups, err := s.store.OktaAppGroups(r.Context(), appID, after, limit+1)
	if err != nil {
		return notFound(err, "App", appID)
	}
	writePage(w, r, groups, limit, func(g store.OktaAppGroup) string { return g.GroupID },
		func(g store.OktaAppGroup) appGroupJSON { return renderAppGroup(r, g) })
	return nil
}

func (s *Server) getAppGroup(w http.ResponseWriter, r *http.Request) error {
	appID, groupID := r.PathValue("appId"), r.PathValue("groupId")
	if _, err := s.app(r); err != nil {
		return err
	}
	g, err := s.store.OktaAppGroup(r.Context(), appID, groupID)
	if err != nil {
		return notFound(err, "ApplicationGroupAssignment", groupID)
	}
	writeJSON(w, http.StatusOK, renderAppGroup(r, g))
	return nil
}

// putAppGroup assigns a group (its members are provisioned) or updates the
// assignment's priority and profile.
func (s *Server) putAppGroup(w http.ResponseWriter, r *http.Request) error {
	appID, groupID := r.PathValue("appId"), r.PathValue("groupId")
	var body struct {
		Priority *int               `json:"priority"`
		Profile  map[string]*string `json:"profile"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	profile, err := assignmentProfile(body.Profile)
	if err == nil && body.Priority != nil && *body.Priority < 0 {
		err = invalid("priority", "priority: must not be negative")
	}
	if err != nil {
		return notFound(err, "App", appID)
	}
	if _, err := s.app(r); err != nil {
		return err
	}
	if _, err := s.store.OktaGroup(r.Context(), groupID); err != nil {
		return notFound(err, "UserGroup", groupID)
	}
	prio := 0
	existing, err := s.store.OktaAppGroup(r.Context(), appID, groupID)
	switch {
	case err == nil:
		prio = existing.Priority
	case !errors.Is(err, store.ErrNotFound):
		return notFound(err, "App", appID)
	}
	if body.Priority != nil {
		prio = *body.Priority
	}
	now := s.timestamp()
	g, tasks, err := s.store.PutOktaAppGroup(r.Context(), store.OktaAppGroup{AppID: appID, GroupID: groupID, Priority: prio,
		Profile: profile, Created: now, LastUpdated: now})
	if err != nil {
		return notFound(err, "App", appID)
	}
	s.engine.enqueue(tasks)
	writeJSON(w, http.StatusOK, renderAppGroup(r, g))
	return nil
}

func (s *Server) deleteAppGroup(w http.ResponseWriter, r *http.Request) error {
	appID, groupID := r.PathValue("appId"), r.PathValue("groupId")
	if _, err := s.app(r); err != nil {
		return err
	}
	tasks, err := s.store.DeleteOktaAppGroup(r.Context(), appID, groupID, s.timestamp())
	if err != nil {
		return notFound(err, "ApplicationGroupAssignment", groupID)
	}
	s.engine.enqueue(tasks)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type appUserJSON struct {
	ID              string            `json:"id"`
	ExternalID      *string           `json:"externalId"`
	Created         string            `json:"created"`
	LastUpdated     string            `json:"lastUpdated"`
	Scope           string            `json:"scope"`
	Status          string            `json:"status"`
	StatusChanged   *string           `json:"statusChanged"`
	PasswordChanged *string           `json:"passwordChanged"`
	SyncState       string            `json:"syncState"`
	LastSync        *string           `json:"lastSync"`
	Credentials     map[string]string `json:"credentials"`
	Profile         map[string]any    `json:"profile"`
	Links           map[string]any    `json:"_links"`
}

func renderAppUser(r *http.Request, au store.OktaAppUser) appUserJSON {
	sync := au.SyncState
	switch {
	case au.Pending:
		sync = "SYNCING"
	case sync == "":
		sync = "DISABLED"
	}
	app := baseURL(r) + "/api/v1/apps/" + au.AppID
	return appUserJSON{ID: au.UserID, ExternalID: nullable(au.ExternalID), Created: au.Created, LastUpdated: au.LastUpdated,
		Scope: au.Scope, Status: au.Status, StatusChanged: nullable(au.StatusChanged), SyncState: sync,
		LastSync: nullable(au.LastSync), Credentials: map[string]string{"userName": au.Login},
		Profile: renderProfile(au.Profile),
		Links:   map[string]any{"app": link(app), "user": link(baseURL(r) + "/api/v1/users/" + au.UserID), "self": link(app + "/users/" + au.UserID)}}
}

func (s *Server) listAppUsers(w http.ResponseWriter, r *http.Request) error {
	appID := r.PathValue("appId")
	after, limit, err := pageParams(r, 50, 500)
	if err != nil {
		return notFound(err, "App", appID)
	}
	users, err := s.store.OktaAppUsers(r.Context(), appID, after, limit+1)
	if err != nil {
		return notFound(err, "App", appID)
	}
	writePage(w, r, users, limit, func(u store.OktaAppUser) string { return u.UserID },
		func(u store.OktaAppUser) appUserJSON { return renderAppUser(r, u) })
	return nil
}

func (s *Server) getAppUser(w http.ResponseWriter, r *http.Request) error {
	appID, userID := r.PathValue("appId"), r.PathValue("userId")
	if _, err := s.app(r); err != nil {
		return err
	}
	au, err := s.store.OktaAppUser(r.Context(), appID, userID)
	if err != nil {
		return notFound(err, "AppUser", userID)
	}
	writeJSON(w, http.StatusOK, renderAppUser(r, au))
	return nil
}

// assignUser assigns a user directly (scope USER): POST /apps/{id}/users with
// the user's id in the body.
func (s *Server) assignUser(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		ID      string             `json:"id"`
		Scope   string             `json:"scope"`
		Profile map[string]*string `json:"profile"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.ID == "" {
		return invalid("id", "id: The field cannot be left blank")
	}
	if body.Scope != "" && body.Scope != "USER" {
		return invalid("scope", "scope: a direct assignment has scope USER")
	}
	return s.putAppUser(w, r, body.ID, body.Profile)
}

// updateAppUser sets a direct assignment's profile.
func (s *Server) updateAppUser(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Profile map[string]*string `json:"profile"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	return s.putAppUser(w, r, r.PathValue("userId"), body.Profile)
}

func (s *Server) putAppUser(w http.ResponseWriter, r *http.Request, userID string, in map[string]*string) error {
	appID := r.PathValue("appId")
	profile, err := assignmentProfile(in)
	if err != nil {
		return notFound(err, "AppUser", userID)
	}
	if _, err := s.app(r); err != nil {
		return err
	}
	u, err := s.store.OktaUser(r.Context(), userID)
	if err != nil {
		return notFound(err, "User", userID)
	}
	tasks, err := s.store.PutOktaAppUser(r.Context(), appID, u.ID, profile, s.timestamp())
	if err != nil {
		return notFound(err, "AppUser", userID)
	}
	s.engine.enqueue(tasks)
	au, err := s.store.OktaAppUser(r.Context(), appID, u.ID)
	if err != nil {
		return notFound(err, "AppUser", userID)
	}
	writeJSON(w, http.StatusOK, renderAppUser(r, au))
	return nil
}

func (s *Server) unassignUser(w http.ResponseWriter, r *http.Request) error {
	appID, userID := r.PathValue("appId"), r.PathValue("userId")
	if _, err := s.app(r); err != nil {
		return err
	}
	tasks, err := s.store.DeleteOktaAppUser(r.Context(), appID, userID, s.timestamp())
	if errors.Is(err, store.ErrConflict) {
		err = invalid("AppUser", "The user is assigned to this app through a group; remove the group assignment or the user's group membership instead")
	}
	if err != nil {
		return notFound(err, "AppUser", userID)
	}
	s.engine.enqueue(tasks)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
