package console

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// usersPageSize is the number of users a Wrike users page shows.
const usersPageSize = 50

// list is the admin API's envelope.
type list[T any] struct {
	Data          []T    `json:"data"`
	ResponseSize  int    `json:"responseSize"`
	NextPageToken string `json:"nextPageToken"`
}

var wrikePages = map[string]pageFunc{
	"GET /console/{$}":                   wrikeOverview,
	"POST /console/scim/{provider}":      wrikeUpdateIntegration,
	"GET /console/domains":               wrikeDomains,
	"POST /console/domains":              wrikeAddDomain,
	"POST /console/domains/{id}/delete":  wrikeDeleteDomain,
	"GET /console/apps":                  wrikeAPIApps,
	"POST /console/apps":                 wrikeCreateAPIApp,
	"POST /console/apps/{id}/regenerate": wrikeRegenerateToken,
	"POST /console/apps/{id}/delete":     wrikeDeleteAPIApp,
	"GET /console/users":                 wrikeUsers,
}

func wrikeOverview(w http.ResponseWriter, r *http.Request, s *call) error {
	var acc list[wrikeapi.Account]
	if _, err := s.do(http.MethodGet, "/api/v4/account", nil, &acc); err != nil {
		return err
	}
	var ints list[wrikeapi.SCIMIntegration]
	if _, err := s.do(http.MethodGet, "/api/v4/scim_integrations", nil, &ints); err != nil {
		return err
	}
	data := struct {
		Account      wrikeapi.Account
		Integrations []wrikeapi.SCIMIntegration
		UserTypes    []string
	}{Integrations: ints.Data, UserTypes: userTypes}
	if len(acc.Data) > 0 {
		data.Account = acc.Data[0]
	}
	return s.render(w, "wrike_overview", "Account and SCIM", data)
}

func wrikeUpdateIntegration(w http.ResponseWriter, r *http.Request, s *call) error {
	body := map[string]any{"enabled": r.PostFormValue("enabled") == "true"}
	if t := r.PostFormValue("defaultUserType"); t != "" {
		body["defaultUserType"] = t
	}
	p := r.PathValue("provider")
	return s.change(w, http.MethodPut, "/api/v4/scim_integrations/"+url.PathEscape(p), body, "SCIM integration "+p+" saved.")
}

func wrikeDomains(w http.ResponseWriter, r *http.Request, s *call) error {
	var ds list[wrikeapi.ApprovedDomain]
	if _, err := s.do(http.MethodGet, "/api/v4/approved_domains", nil, &ds); err != nil {
		return err
	}
	return s.render(w, "wrike_domains", "Approved domains", ds.Data)
}

func wrikeAddDomain(w http.ResponseWriter, r *http.Request, s *call) error {
	var ds list[wrikeapi.ApprovedDomain]
	if _, err := s.do(http.MethodPost, "/api/v4/approved_domains", map[string]string{"domain": r.PostFormValue("domain")}, &ds); err != nil {
		return err
	}
	if len(ds.Data) == 0 {
		return s.done(w, flash{Notice: "Domain approved."})
	}
	return s.done(w, flash{Notice: "Approved " + ds.Data[0].Domain + "."})
}

func wrikeDeleteDomain(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.change(w, http.MethodDelete, "/api/v4/approved_domains/"+url.PathEscape(r.PathValue("id")), nil, "Domain removed.")
}

func wrikeAPIApps(w http.ResponseWriter, r *http.Request, s *call) error {
	var apps list[wrikeapi.APIApp]
	if _, err := s.do(http.MethodGet, "/api/v4/api_apps", nil, &apps); err != nil {
		return err
	}
	sort.SliceStable(apps.Data, func(i, j int) bool {
		a, b := apps.Data[i], apps.Data[j]
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.ID < b.ID
	})
	return s.render(w, "wrike_apps", "API apps", apps.Data)
}

func wrikeCreateAPIApp(w http.ResponseWriter, r *http.Request, s *call) error {
	var apps list[wrikeapi.APIApp]
	body := map[string]string{"name": r.PostFormValue("name"), "description": r.PostFormValue("description")}
	if _, err := s.do(http.MethodPost, "/api/v4/api_apps", body, &apps); err != nil {
		return err
	}
	return s.showToken(w, "Created API app", apps.Data)
}

func wrikeRegenerateToken(w http.ResponseWriter, r *http.Request, s *call) error {
	var apps list[wrikeapi.APIApp]
	if _, err := s.do(http.MethodPost, "/api/v4/api_apps/"+url.PathEscape(r.PathValue("id"))+"/regenerate_token", nil, &apps); err != nil {
		return err
	}
	return s.showToken(w, "New token for API app", apps.Data)
}

// showToken returns to the API apps page with the app's token, shown this
// once: the flash is cleared by the page that shows it.
func (s *call) showToken(w http.ResponseWriter, what string, apps []wrikeapi.APIApp) error {
	f := flash{Notice: what + "."}
	if len(apps) > 0 {
		f.Notice = what + " " + apps[0].Name + ". Copy its token now: it is not shown again."
		f.Secret = apps[0].Token
	}
	return s.done(w, f)
}

func wrikeDeleteAPIApp(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.change(w, http.MethodDelete, "/api/v4/api_apps/"+url.PathEscape(r.PathValue("id")), nil,
		"API app deleted; its token no longer works.")
}

func wrikeUsers(w http.ResponseWriter, r *http.Request, s *call) error {
	in := r.URL.Query()
	q := url.Values{"pageSize": {strconv.Itoa(usersPageSize)}}
	for _, k := range []string{"domain", "userType", "active", "nextPageToken"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var users list[wrikeapi.User]
	if _, err := s.do(http.MethodGet, "/api/v4/users?"+q.Encode(), nil, &users); err != nil {
		return err
	}
	// Pages follow the order Wrike created the users in; within a page, by user name.
	sort.SliceStable(users.Data, func(i, j int) bool {
		return strings.ToLower(users.Data[i].UserName) < strings.ToLower(users.Data[j].UserName)
	})
	data := struct {
		Users                []wrikeapi.User
		Total                int
		Domain, Type, Active string
		Next, First          string
		UserTypes            []string
	}{Users: users.Data, Total: users.ResponseSize, Domain: in.Get("domain"), Type: in.Get("userType"), Active: in.Get("active"),
		UserTypes: userTypes}
	filters := url.Values{}
	for _, k := range []string{"domain", "userType", "active"} {
		if v := in.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	if in.Get("nextPageToken") != "" {
		data.First = Prefix + "users?" + filters.Encode()
	}
	if users.NextPageToken != "" {
		filters.Set("nextPageToken", users.NextPageToken)
		data.Next = Prefix + "users?" + filters.Encode()
	}
	return s.render(w, "wrike_users", "Users", data)
}
