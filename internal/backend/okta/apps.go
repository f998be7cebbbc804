package okta

import (
	"net/http"
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
