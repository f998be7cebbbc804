package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// oktaPageSize is the number of rows an Okta list page shows.
const oktaPageSize = 50

type oktaApp struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Label  string `json:"label"`
	Status string `json:"status"`
}

type oktaConnection struct {
	AuthScheme string `json:"authScheme"`
	BaseURL    string `json:"baseUrl"`
	Status     string `json:"status"`
}

type oktaStatus struct {
	Status string `json:"status"`
}

type oktaFeature struct {
	Capabilities struct {
		Create struct {
			LifecycleCreate oktaStatus `json:"lifecycleCreate"`
		} `json:"create"`
		Update struct {
			Profile             oktaStatus `json:"profile"`
			LifecycleDeactivate oktaStatus `json:"lifecycleDeactivate"`
		} `json:"update"`
	} `json:"capabilities"`
}

type oktaGroup struct {
	ID      string            `json:"id"`
	Type    string            `json:"type"`
	Profile map[string]string `json:"profile"`
}

type oktaAppGroup struct {
	ID       string         `json:"id"`
	Priority int            `json:"priority"`
	Profile  map[string]any `json:"profile"`
	Name     string         `json:"-"`
}

type oktaAppUser struct {
	ID          string            `json:"id"`
	ExternalID  *string           `json:"externalId"`
	Scope       string            `json:"scope"`
	Status      string            `json:"status"`
	SyncState   string            `json:"syncState"`
	Credentials map[string]string `json:"credentials"`
	Profile     map[string]any    `json:"profile"`
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

type oktaTask struct {
	ID            string  `json:"id"`
	UserID        string  `json:"userId"`
	Login         string  `json:"login"`
	Operation     string  `json:"operation"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	LastError     *string `json:"lastError"`
	LastAttemptAt *string `json:"lastAttemptAt"`
	NextAttemptAt *string `json:"nextAttemptAt"`
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

func oktaPages(*Console) map[string]pageFunc {
	return map[string]pageFunc{
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
}

// errNoWrikeApp is shown when the org has no Wrike app instance yet.
var errNoWrikeApp = errors.New("this Okta org has no Wrike app yet (POST /api/v1/apps with name \"wrike\" adds it; terraform apply does)")

// wrikeApp finds the org's Wrike app instance, the one the console manages.
func (s *call) wrikeApp() (oktaApp, error) {
	var apps []oktaApp
	if _, err := s.do(http.MethodGet, "/api/v1/apps?limit=1&filter="+url.QueryEscape(`name eq "wrike"`), nil, &apps); err != nil {
		return oktaApp{}, err
	}
	if len(apps) == 0 {
		return oktaApp{}, errNoWrikeApp
	}
	return apps[0], nil
}

func appPath(app oktaApp, rest string) string {
	return "/api/v1/apps/" + url.PathEscape(app.ID) + rest
}

func oktaProvisioning(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	data := struct {
		App        oktaApp
		Connection oktaConnection
		Feature    oktaFeature
	}{App: app}
	if _, err := s.do(http.MethodGet, appPath(app, "/connections/default"), nil, &data.Connection); err != nil {
		return err
	}
	if _, err := s.do(http.MethodGet, appPath(app, "/features/USER_PROVISIONING"), nil, &data.Feature); err != nil {
		return err
	}
	return s.render(w, "okta_provisioning", "Provisioning", data)
}

func oktaSaveConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	body := map[string]any{"baseUrl": strings.TrimSpace(r.PostFormValue("baseUrl")),
		"profile": map[string]string{"authScheme": "TOKEN", "token": strings.TrimSpace(r.PostFormValue("token"))}}
	if _, err := s.do(http.MethodPost, appPath(app, "/connections/default?activate=true"), body, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Wrike accepted the API credentials; provisioning is enabled."})
}

func oktaTestConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	if _, err := s.do(http.MethodPost, appPath(app, "/connections/default/lifecycle/activate"), nil, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Wrike accepted the saved API credentials; the connection is enabled."})
}

func oktaDeactivateConnection(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	if _, err := s.do(http.MethodPost, appPath(app, "/connections/default/lifecycle/deactivate"), nil, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Provisioning to Wrike is disabled."})
}

func oktaSaveFeatures(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	status := func(field string) map[string]string {
		if r.PostFormValue(field) == "on" {
			return map[string]string{"status": "ENABLED"}
		}
		return map[string]string{"status": "DISABLED"}
	}
	body := map[string]any{
		"create": map[string]any{"lifecycleCreate": status("create")},
		"update": map[string]any{"profile": status("update"), "lifecycleDeactivate": status("deactivate")},
	}
	if _, err := s.do(http.MethodPut, appPath(app, "/features/USER_PROVISIONING"), body, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Provisioning settings saved."})
}

// nextAfter is the after cursor of a list's Link rel="next", "" on the last page.
func nextAfter(h http.Header) string {
	for _, l := range h.Values("Link") {
		for _, part := range strings.Split(l, ",") {
			if !strings.Contains(part, `rel="next"`) {
				continue
			}
			start, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
			if start < 0 || end < start {
				continue
			}
			if u, err := url.Parse(part[start+1 : end]); err == nil {
				return u.Query().Get("after")
			}
		}
	}
	return ""
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

func (s *call) groups() ([]oktaGroup, error) {
	var groups []oktaGroup
	_, err := s.do(http.MethodGet, "/api/v1/groups?limit=10000", nil, &groups)
	return groups, err
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
		names[g.ID] = g.Profile["name"]
	}
	var assigned []oktaAppGroup
	if _, err := s.do(http.MethodGet, appPath(app, "/groups?limit=200"), nil, &assigned); err != nil {
		return err
	}
	for i := range assigned {
		assigned[i].Name = names[assigned[i].ID]
	}
	q := url.Values{"limit": {strconv.Itoa(oktaPageSize)}}
	if a := r.URL.Query().Get("after"); a != "" {
		q.Set("after", a)
	}
	var users []oktaAppUser
	h, err := s.do(http.MethodGet, appPath(app, "/users?"+q.Encode()), nil, &users)
	if err != nil {
		return err
	}
	return s.render(w, "okta_assignments", "Assignments", struct {
		App       oktaApp
		Groups    []oktaAppGroup
		AllGroups []oktaGroup
		Users     []oktaAppUser
		UserTypes []string
		Page      pageLinks
	}{app, assigned, groups, users, userTypes, pager(Prefix+"assignments", r.URL.Query(), h)})
}

// assignmentProfile is an assignment's profile for the user type chosen in a form.
func assignmentProfile(r *http.Request) map[string]any {
	if t := r.PostFormValue("userType"); t != "" {
		return map[string]any{"userType": t}
	}
	return map[string]any{"userType": nil}
}

func oktaAssignGroup(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	body := map[string]any{"profile": assignmentProfile(r)}
	if _, err := s.do(http.MethodPut, appPath(app, "/groups/"+url.PathEscape(r.PostFormValue("groupId"))), body, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Group assigned; Okta provisions its members to Wrike."})
}

func oktaUnassignGroup(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	if _, err := s.do(http.MethodDelete, appPath(app, "/groups/"+url.PathEscape(r.PathValue("id"))), nil, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "Group unassigned; Okta deactivates the users it alone assigned."})
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
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	if _, err := s.do(http.MethodDelete, appPath(app, "/users/"+url.PathEscape(r.PathValue("id"))), nil, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: "User unassigned."})
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
	var tasks []oktaTask
	h, err := s.do(http.MethodGet, appPath(app, "/provisioning/tasks?"+q.Encode()), nil, &tasks)
	if err != nil {
		return err
	}
	return s.render(w, "okta_tasks", "Provisioning tasks", struct {
		Tasks  []oktaTask
		Status string
		Page   pageLinks
	}{tasks, in.Get("status"), pager(Prefix+"tasks", in, h)})
}

func oktaRetryTask(w http.ResponseWriter, r *http.Request, s *call) error {
	app, err := s.wrikeApp()
	if err != nil {
		return err
	}
	var t oktaTask
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
