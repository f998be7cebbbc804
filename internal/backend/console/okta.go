package console

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpheader"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

// oktaPageSize is the number of rows an Okta list page shows.
const oktaPageSize = 50

// oktaAppGroup is a group assignment with the group's name.
type oktaAppGroup struct {
	oktaapi.ApplicationGroupAssignment
	Name string `json:"-"`
}

// oktaAppUser is an app user with the login Okta gives in its credentials.
type oktaAppUser struct {
	oktaapi.AppUser
	Credentials map[string]string `json:"credentials"`
}

type oktaUser struct {
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Profile map[string]string `json:"profile"`
}

type oktaLogEvent struct {
	UUID           string `json:"uuid"`
	Published      string `json:"published"`
	EventType      string `json:"eventType"`
	Severity       string `json:"severity"`
	DisplayMessage string `json:"displayMessage"`
	Actor          struct {
		DisplayName string `json:"displayName"`
	} `json:"actor"`
	Outcome struct {
		Result string  `json:"result"`
		Reason *string `json:"reason"`
	} `json:"outcome"`
	Target []struct {
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
		DisplayName string `json:"displayName"`
	} `json:"target"`
}

// userTypes are the Wrike user types an assignment can set.
var userTypes = []string{"Regular", "External", "Collaborator"}

// logEventTypes are the System Log event types the filter offers.
var logEventTypes = []string{
	"application.provision.user.push",
	"application.provision.user.push_profile",
	"application.provision.user.deactivate",
	"application.provision.user.reactivate",
	"application.provision.connection.test",
	"system.api_token.revoke",
}

// logRefreshSeconds is how often the System Log reloads itself.
const logRefreshSeconds = 5

var oktaPages = map[string]pageFunc{
	"GET /console/{$}":                             oktaProvisioning,
	"POST /console/connection":                     oktaSaveConnection,
	"POST /console/connection/test":                oktaTestConnection,
	"POST /console/connection/deactivate":          oktaDeactivateConnection,
	"POST /console/features":                       oktaSaveFeatures,
	"GET /console/assignments":                     oktaAssignments,
	"POST /console/assignments/groups":             oktaAssignGroup,
	"POST /console/assignments/groups/{id}/delete": oktaUnassignGroup,
	"POST /console/assignments/users":              oktaAssignUser,
	"POST /console/assignments/users/{id}/delete":  oktaUnassignUser,
	"GET /console/users":                           oktaUsers,
	"GET /console/groups":                          oktaGroups,
	"GET /console/logs":                            oktaLogs,
	"GET /console/tasks":                           oktaTasks,
	"POST /console/tasks/retry":                    oktaRetryTasks,
	"POST /console/tasks/{id}/retry":               oktaRetryTask,
}

// errNoWrikeApp is shown when the org has no Wrike app instance yet.
var errNoWrikeApp = errors.New("this Okta org has no Wrike app yet (POST /api/v1/apps with name \"wrike\" adds it; terraform apply does)")

// wrikeApp finds the org's Wrike app instance, the one the console manages.
func (s *call) wrikeApp() (oktaapi.App, error) {
	var apps []oktaapi.App
	if _, err := s.do(http.MethodGet, "/api/v1/apps?limit=1&filter="+url.QueryEscape(`name eq "wrike"`), nil, &apps); err != nil {
		return oktaapi.App{}, err
	}
	if len(apps) == 0 {
		return oktaapi.App{}, errNoWrikeApp
	}
	return apps[0], nil
}

func appPath(app oktaapi.App, rest string) string {
	return "/api/v1/apps/" + url.PathEscape(app.ID) + rest
}

// changeApp makes one change to the Wrike app (rest: the path below it)
// and returns to the form's page with notice.
func (s *call) changeApp(w http.ResponseWriter, method, rest string, body any, notice string) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	return s.change(w, method, appPath(app, rest), body, notice)
}

func oktaProvisioning(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	data := struct {
		App        oktaapi.App
		Connection oktaapi.ProvisioningConnection
		Toggles    oktaapi.ProvisioningToggles
	}{App: app}
	var feature oktaapi.Feature
	if _, err := s.do(http.MethodGet, appPath(app, "/connections/default"), nil, &data.Connection); err != nil {
		return err
	}
	if _, err := s.do(http.MethodGet, appPath(app, "/features/USER_PROVISIONING"), nil, &feature); err != nil {
		return err
	}
	data.Toggles = feature.Toggles()
	return s.render(w, "okta_provisioning", "Provisioning", data)
}

func oktaSaveConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	body := oktaapi.ProvisioningConnectionRequest{BaseURL: strings.TrimSpace(r.PostFormValue("baseUrl")),
		Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: "TOKEN", Token: strings.TrimSpace(r.PostFormValue("token"))}}
	return s.changeApp(w, http.MethodPost, "/connections/default?activate=true", body,
		"Wrike accepted the API credentials; provisioning is enabled.")
}

func oktaTestConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.changeApp(w, http.MethodPost, "/connections/default/lifecycle/activate", nil,
		"Wrike accepted the saved API credentials; the connection is enabled.")
}

func oktaDeactivateConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.changeApp(w, http.MethodPost, "/connections/default/lifecycle/deactivate", nil, "Provisioning to Wrike is disabled.")
}

func oktaSaveFeatures(w http.ResponseWriter, r *http.Request, s *call) error {
	body := oktaapi.ProvisioningToggles{
		CreateUsers:          r.PostFormValue("create") == "on",
		UpdateUserAttributes: r.PostFormValue("update") == "on",
		DeactivateUsers:      r.PostFormValue("deactivate") == "on",
	}.Capabilities()
	return s.changeApp(w, http.MethodPut, "/features/USER_PROVISIONING", body, "Provisioning settings saved.")
}

// nextAfter is the after cursor of a list's Link rel="next", "" on the last page.
func nextAfter(h http.Header) string {
	u, err := url.Parse(httpheader.NextLink(h))
	if err != nil {
		return ""
	}
	return u.Query().Get("after")
}

// pageLinks are a paged list's links: back to the first page, and on.
type pageLinks struct {
	First, Next string
}

// pager builds the links of a list page at path whose query q is kept.
func pager(path string, q url.Values, h http.Header) pageLinks {
	var p pageLinks
	q = cloneValues(q)
	if q.Get("after") != "" {
		q.Del("after")
		p.First = path + "?" + q.Encode()
	}
	if after := nextAfter(h); after != "" {
		q.Set("after", after)
		p.Next = path + "?" + q.Encode()
	}
	return p
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if len(v) > 0 && v[0] != "" {
			out.Set(k, v[0])
		}
	}
	return out
}

// oktaGroup is a group with its member count (?expand=stats).
type oktaGroup struct {
	oktaapi.Group
	Embedded struct {
		Stats struct {
			UsersCount int `json:"usersCount"`
		} `json:"stats"`
	} `json:"_embedded"`
}

// groups lists the org's groups with their member counts: Everyone first,
// then by name.
func (s *call) groups() ([]oktaGroup, error) {
	var groups []oktaGroup
	_, err := s.do(http.MethodGet, "/api/v1/groups?limit=10000&expand=stats", nil, &groups)
	sort.SliceStable(groups, func(i, j int) bool {
		if bi, bj := groups[i].Type == "BUILT_IN", groups[j].Type == "BUILT_IN"; bi != bj {
			return bi
		}
		return strings.ToLower(groups[i].Profile.Name) < strings.ToLower(groups[j].Profile.Name)
	})
	return groups, err
}

// failureReasons maps each user id with a failed or retried provisioning
// task of the app to the task's last error: the reason an assignment is in
// ERROR. It reads at most maxReasonPages pages of tasks.
func (s *call) failureReasons(app oktaapi.App) (map[string]string, error) {
	reasons := map[string]string{}
	q := url.Values{"limit": {"200"}}
	for range maxReasonPages {
		var tasks []oktaapi.ProvisioningTask
		h, err := s.do(http.MethodGet, appPath(app, "/provisioning/tasks?"+q.Encode()), nil, &tasks)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			if t.LastError != "" {
				reasons[t.UserID] = t.LastError
			}
		}
		next := nextAfter(h)
		if next == "" {
			break
		}
		q.Set("after", next)
	}
	return reasons, nil
}

// maxReasonPages bounds the tasks the assignments page reads for reasons.
const maxReasonPages = 10

// assignedUser is an app user with the reason its provisioning failed.
type assignedUser struct {
	oktaAppUser
	Reason string
}

func oktaAssignments(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	groups, err := s.groups()
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.ID] = g.Profile.Name
	}
	reasons, err := s.failureReasons(app)
	if err != nil {
		return err
	}
	var assigned []oktaAppGroup
	if _, err := s.do(http.MethodGet, appPath(app, "/groups?limit=200"), nil, &assigned); err != nil {
		return err
	}
	for i := range assigned {
		assigned[i].Name = names[assigned[i].ID]
	}
	sort.SliceStable(assigned, func(i, j int) bool { return strings.ToLower(assigned[i].Name) < strings.ToLower(assigned[j].Name) })
	q := url.Values{"limit": {strconv.Itoa(oktaPageSize)}}
	if a := r.URL.Query().Get("after"); a != "" {
		q.Set("after", a)
	}
	var users []oktaAppUser
	h, err := s.do(http.MethodGet, appPath(app, "/users?"+q.Encode()), nil, &users)
	if err != nil {
		return err
	}
	rows := make([]assignedUser, len(users))
	for i, u := range users {
		rows[i] = assignedUser{u, reasons[u.ID]}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return strings.ToLower(rows[i].Credentials["userName"]) < strings.ToLower(rows[j].Credentials["userName"])
	})
	return s.render(w, "okta_assignments", "Assignments", struct {
		App       oktaapi.App
		Groups    []oktaAppGroup
		AllGroups []oktaGroup
		Users     []assignedUser
		UserTypes []string
		Page      pageLinks
	}{app, assigned, groups, rows, userTypes, pager(Prefix+"assignments", r.URL.Query(), h)})
}

// assignmentProfile is an assignment's profile for the user type chosen in a form.
func assignmentProfile(r *http.Request) map[string]any {
	if t := r.PostFormValue("userType"); t != "" {
		return map[string]any{"userType": t}
	}
	return map[string]any{"userType": nil}
}

func oktaAssignGroup(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.changeApp(w, http.MethodPut, "/groups/"+url.PathEscape(r.PostFormValue("groupId")), map[string]any{"profile": assignmentProfile(r)},
		"Group assigned; Okta provisions its members to Wrike.")
}

func oktaUnassignGroup(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.changeApp(w, http.MethodDelete, "/groups/"+url.PathEscape(r.PathValue("id")), nil,
		"Group unassigned; Okta deactivates the users it alone assigned.")
}

func oktaAssignUser(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	// The form takes a login or an id, as Okta's user lookups do.
	var u oktaUser
	if _, err := s.do(http.MethodGet, "/api/v1/users/"+url.PathEscape(strings.TrimSpace(r.PostFormValue("user"))), nil, &u); err != nil {
		return err
	}
	body := map[string]any{"id": u.ID, "scope": "USER", "profile": assignmentProfile(r)}
	if _, err := s.do(http.MethodPost, appPath(app, "/users"), body, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Assigned " + u.Profile["login"] + "."})
}

func oktaUnassignUser(w http.ResponseWriter, r *http.Request, s *call) error {
	return s.changeApp(w, http.MethodDelete, "/users/"+url.PathEscape(r.PathValue("id")), nil, "User unassigned.")
}

func oktaUsers(w http.ResponseWriter, r *http.Request, s *call) error {
	in := r.URL.Query()
	q := url.Values{"limit": {strconv.Itoa(oktaPageSize)}}
	for _, k := range []string{"q", "after"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var users []oktaUser
	h, err := s.do(http.MethodGet, "/api/v1/users?"+q.Encode(), nil, &users)
	if err != nil {
		return err
	}
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(users[i].Profile["login"]) < strings.ToLower(users[j].Profile["login"])
	})
	return s.render(w, "okta_users", "Users", struct {
		Users []oktaUser
		Q     string
		Page  pageLinks
	}{users, in.Get("q"), pager(Prefix+"users", in, h)})
}

func oktaGroups(w http.ResponseWriter, r *http.Request, s *call) error {
	groups, err := s.groups()
	if err != nil {
		return err
	}
	return s.render(w, "okta_groups", "Groups", groups)
}

func oktaLogs(w http.ResponseWriter, r *http.Request, s *call) error {
	in := r.URL.Query()
	var filters []string
	if v := in.Get("eventType"); v != "" {
		filters = append(filters, `eventType eq "`+quote(v)+`"`)
	}
	if v := in.Get("outcome"); v != "" {
		filters = append(filters, `outcome.result eq "`+quote(v)+`"`)
	}
	if v := strings.TrimSpace(in.Get("user")); v != "" {
		// A login is looked up to the id the events' targets carry.
		id := v
		var u oktaUser
		if _, err := s.do(http.MethodGet, "/api/v1/users/"+url.PathEscape(v), nil, &u); err == nil {
			id = u.ID
		} else if errors.Is(err, errSignedOut) {
			return err
		}
		filters = append(filters, `target.id eq "`+quote(id)+`"`)
	}
	q := url.Values{"limit": {strconv.Itoa(oktaPageSize)}, "sortOrder": {"DESCENDING"}}
	if len(filters) > 0 {
		q.Set("filter", strings.Join(filters, " and "))
	}
	if v := in.Get("after"); v != "" {
		q.Set("after", v)
	}
	var events []oktaLogEvent
	h, err := s.do(http.MethodGet, "/api/v1/logs?"+q.Encode(), nil, &events)
	if err != nil {
		return err
	}
	data := struct {
		Events                   []oktaLogEvent
		EventTypes               []string
		EventType, Outcome, User string
		Paused                   bool
		Page                     pageLinks
		PauseURL, ResumeURL      string
	}{Events: events, EventTypes: logEventTypes, EventType: in.Get("eventType"), Outcome: in.Get("outcome"),
		User: in.Get("user"), Paused: in.Get("paused") != "" || in.Get("after") != "", Page: pager(Prefix+"logs", in, h)}
	kept := cloneValues(in)
	kept.Del("after")
	kept.Set("paused", "1")
	data.PauseURL = Prefix + "logs?" + kept.Encode()
	kept.Del("paused")
	data.ResumeURL = Prefix + "logs?" + kept.Encode()
	return s.renderRefreshing(w, "okta_logs", "System Log", data, !data.Paused)
}

// quote escapes a value put between double quotes in an Okta filter.
func quote(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)
}

func oktaTasks(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	in := r.URL.Query()
	q := url.Values{"limit": {strconv.Itoa(oktaPageSize)}}
	for _, k := range []string{"status", "after"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var tasks []oktaapi.ProvisioningTask
	h, err := s.do(http.MethodGet, appPath(app, "/provisioning/tasks?"+q.Encode()), nil, &tasks)
	if err != nil {
		return err
	}
	return s.render(w, "okta_tasks", "Provisioning tasks", struct {
		Tasks  []oktaapi.ProvisioningTask
		Status string
		Page   pageLinks
	}{tasks, in.Get("status"), pager(Prefix+"tasks", in, h)})
}

func oktaRetryTask(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	var t oktaapi.ProvisioningTask
	if _, err := s.do(http.MethodPost, appPath(app, "/provisioning/tasks/"+url.PathEscape(r.PathValue("id"))+"/lifecycle/retry"), nil, &t); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Retrying " + t.Login + " now."})
}

func oktaRetryTasks(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	var out struct {
		Retried int `json:"retried"`
	}
	if _, err := s.do(http.MethodPost, appPath(app, "/provisioning/tasks/lifecycle/retry"), nil, &out); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Retrying " + strconv.Itoa(out.Retried) + " failed task(s) now."})
}
