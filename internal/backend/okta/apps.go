package okta

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// provisionableApps are the app names whose provisioning connection this
// face implements; any other app answers authScheme UNKNOWN, as real Okta
// does for apps it cannot provision through the API.
var provisionableApps = map[string]bool{"wrike": true, "scim2testapp": true}

var signOnModes = map[string]bool{
	"BOOKMARK": true, "BASIC_AUTH": true, "BROWSER_PLUGIN": true, "SECURE_PASSWORD_STORE": true, "AUTO_LOGIN": true,
	"WS_FEDERATION": true, "SAML_2_0": true, "SAML_1_1": true, "OPENID_CONNECT": true,
}

// userTypes are the Wrike user types an assignment profile may carry.
var userTypes = map[string]bool{"Regular": true, "External": true, "Collaborator": true}

type appJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Label         string         `json:"label"`
	Status        string         `json:"status"`
	LastUpdated   string         `json:"lastUpdated"`
	Created       string         `json:"created"`
	Accessibility map[string]any `json:"accessibility"`
	Visibility    map[string]any `json:"visibility"`
	Features      []string       `json:"features"`
	SignOnMode    string         `json:"signOnMode"`
	Credentials   map[string]any `json:"credentials"`
	Settings      map[string]any `json:"settings"`
	Links         map[string]any `json:"_links"`
}

func renderApp(r *http.Request, a store.OktaApp) appJSON {
	self := baseURL(r) + "/api/v1/apps/" + a.ID
	features := []string{}
	if a.ConnStatus == "ENABLED" {
		if a.FeatCreate {
			features = append(features, "PUSH_NEW_USERS")
		}
		if a.FeatUpdate {
			features = append(features, "PUSH_PROFILE_UPDATES")
		}
		if a.FeatDeactivate {
			features = append(features, "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS")
		}
	}
	return appJSON{
		ID: a.ID, Name: a.Name, Label: a.Label, Status: a.Status, LastUpdated: a.LastUpdated, Created: a.Created,
		Accessibility: map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Visibility:    map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}},
		Features:      features, SignOnMode: a.SignOnMode,
		Credentials: map[string]any{"userNameTemplate": map[string]string{"template": "${source.login}", "type": "BUILT_IN"}},
		Settings:    map[string]any{"app": map[string]any{}},
		Links: map[string]any{"self": link(self), "users": link(self + "/users"), "groups": link(self + "/groups"),
			"deactivate": link(self + "/lifecycle/deactivate"), "logo": []any{}},
	}
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name       string `json:"name"`
		Label      string `json:"label"`
		SignOnMode string `json:"signOnMode"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	var causes []string
	if strings.TrimSpace(body.Label) == "" {
		causes = append(causes, "label: The field cannot be left blank")
	}
	if body.Name == "" {
		body.Name = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(body.Label), " ", "_"))
	}
	if body.SignOnMode == "" {
		body.SignOnMode = "SAML_2_0"
	}
	if !signOnModes[body.SignOnMode] {
		causes = append(causes, "signOnMode: Unknown sign-on mode "+strconv.Quote(body.SignOnMode))
	}
	if len(causes) > 0 {
		return invalid("App", causes...)
	}
	now := s.timestamp()
	a := store.OktaApp{ID: "0oa" + s.newID(), Name: body.Name, Label: strings.TrimSpace(body.Label), Status: "ACTIVE",
		SignOnMode: body.SignOnMode, Created: now, LastUpdated: now, ConnStatus: "DISABLED"}
	if r.URL.Query().Get("activate") == "false" {
		a.Status = "INACTIVE"
	}
	if err := s.store.CreateOktaApp(r.Context(), a); err != nil {
		return notFound(err, "App", "")
	}
	writeJSON(w, http.StatusOK, renderApp(r, a))
	return nil
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r, 20, 200)
	if err != nil {
		return notFound(err, "App", "")
	}
	q := r.URL.Query()
	var expr filterExpr
	if v := q.Get("filter"); v != "" {
		expr, err = parseFilter(v, func(a string) bool { return a == "status" || a == "name" || a == "id" })
		if err != nil {
			return apiErr(http.StatusBadRequest, "E0000031", "Invalid search criteria.", "filter: "+err.Error())
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	ctx := r.Context()
	var sr *search
	if expr != nil || prefix != "" {
		var end func()
		if sr, end, err = s.startSearch(r, searchParam(q)); err != nil {
			return err
		}
		defer end()
		ctx = sr.ctx
	}
	apps, err := s.store.OktaApps(ctx, after, limit+1, func(a store.OktaApp) bool {
		if sr == nil {
			return true
		}
		if !sr.row(int64(len(a.ID)+len(a.Name)+len(a.Label)+100) * cost.DecodeWeight) {
			return false
		}
		if expr != nil && (!expr.eval(func(attr string) (string, bool) {
			switch attr {
			case "status":
				return a.Status, true
			case "name":
				return a.Name, true
			case "id":
				return a.ID, true
			}
			return "", false
		}, sr.meter) || sr.over()) {
			return false
		}
		return prefix == "" || sr.charge(prefixCost(a.Name, prefix)+prefixCost(a.Label, prefix)) &&
			(strings.HasPrefix(strings.ToLower(a.Name), prefix) || strings.HasPrefix(strings.ToLower(a.Label), prefix))
	})
	if sr != nil {
		err = sr.result(err)
	}
	if err != nil {
		return notFound(err, "App", "")
	}
	writePage(w, r, apps, limit, func(a store.OktaApp) string { return a.ID },
		func(a store.OktaApp) appJSON { return renderApp(r, a) })
	return nil
}

// app is the app named by the request path.
func (s *Server) app(r *http.Request) (store.OktaApp, error) {
	id := r.PathValue("appId")
	a, err := s.store.OktaApp(r.Context(), id)
	return a, notFound(err, "App", id)
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) error {
	a, err := s.app(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderApp(r, a))
	return nil
}

// ---- provisioning connection

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

// ---- features

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
		return a, &notFoundError{id: name, kind: "AppFeature"}
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

// ---- assignments

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
