package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

// client talks to both faces of the reference backend with the tokens from
// dev.env: to Wrike through the provider's own client, to the Okta face's
// System Log, lifecycle and wait endpoints directly.
type client struct {
	wrike     *wrikeclient.Client
	wrikeURL  string
	wrikeTok  string
	http      *http.Client
	oktaURL   string
	oktaToken string
}

func clientFromEnv() (*client, error) {
	wrikeURL, wrikeToken := os.Getenv("WRIKE_URL"), os.Getenv("WRIKE_TOKEN")
	c := &client{
		wrikeURL:  strings.TrimRight(wrikeURL, "/"),
		wrikeTok:  wrikeToken,
		http:      &http.Client{Timeout: 90 * time.Second},
		oktaURL:   strings.TrimRight(os.Getenv("OKTA_ORG_URL"), "/"),
		oktaToken: os.Getenv("OKTA_API_TOKEN"),
	}
	var missing []string
	for name, v := range map[string]string{"WRIKE_URL": wrikeURL, "WRIKE_TOKEN": wrikeToken, "OKTA_ORG_URL": c.oktaURL, "OKTA_API_TOKEN": c.oktaToken} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%s not set: source the dev.env written by wrike-backend --dev", strings.Join(missing, ", "))
	}
	w, err := wrikeclient.New(wrikeclient.Config{URL: wrikeURL, Token: wrikeToken, Version: "demo"})
	if err != nil {
		return nil, err
	}
	c.wrike = w
	return c, nil
}

// refusal is one user Okta could not provision, with the reason its System Log gives.
type refusal struct {
	Login  string
	Event  string
	Reason string
}

// apiError keeps the status and the service's own message, never the request's headers.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Body)
}

func (c *client) do(ctx context.Context, method, base, path, auth string, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// url.Error carries the URL only; the token is in a header and stays out.
			return fmt.Errorf("%s %s: %w", method, path, uerr.Err)
		}
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{Method: method, Path: path, Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	if into == nil {
		return nil
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

func (c *client) okta(ctx context.Context, method, path string, into any) error {
	return c.do(ctx, method, c.oktaURL, path, "SSWS "+c.oktaToken, into)
}

// consoleLinks prints each face's console URL and a one-time sign-in link
// for it (POST /console/login-links with the face's token). The links hold a
// random nonce, never a token, and work once.
func (c *client) consoleLinks(ctx context.Context, w io.Writer) error {
	for _, f := range []struct{ name, base, auth string }{
		{"Wrike", c.wrikeURL, "Bearer " + c.wrikeTok},
		{"Okta", c.oktaURL, "SSWS " + c.oktaToken},
	} {
		var link struct {
			URL string `json:"url"`
		}
		if err := c.do(ctx, http.MethodPost, f.base, "/console/login-links", f.auth, &link); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s console: %s/console/\n  sign in once with: %s\n", f.name, f.base, link.URL)
	}
	return nil
}

// users lists Wrike's users by user name: Wrike orders them by creation, which depends on the
// order Okta's per-user queues happened to finish in.
func (c *client) users(ctx context.Context) ([]wrikeapi.User, error) {
	users, err := c.wrike.ListUsers(ctx, wrikeclient.UserFilter{})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(users, func(i, j int) bool { return users[i].UserName < users[j].UserName })
	return users, nil
}

func (c *client) account(ctx context.Context) (*wrikeapi.Account, error) {
	return c.wrike.GetAccount(ctx)
}

type logEvent struct {
	EventType      string `json:"eventType"`
	DisplayMessage string `json:"displayMessage"`
	Target         []struct {
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
		DisplayName string `json:"displayName"`
	} `json:"target"`
	Outcome struct {
		Result string `json:"result"`
		Reason string `json:"reason"`
	} `json:"outcome"`
	DebugContext struct {
		DebugData map[string]string `json:"debugData"`
	} `json:"debugContext"`
}

// credentialTest is one run of Okta's Test API Credentials, from the System Log.
type credentialTest struct {
	BaseURL, Result, Reason string
}

// credentialTests lists the Test API Credentials runs in the System Log, oldest first: Okta
// runs one whenever the provisioning connection is saved or activated.
func (c *client) credentialTests(ctx context.Context) ([]credentialTest, error) {
	q := url.Values{"filter": {`eventType eq "application.provision.connection.test"`}, "limit": {"1000"}}
	var events []logEvent
	if err := c.okta(ctx, http.MethodGet, "/api/v1/logs?"+q.Encode(), &events); err != nil {
		return nil, err
	}
	var out []credentialTest
	for _, ev := range events {
		if ev.EventType == "application.provision.connection.test" {
			out = append(out, credentialTest{BaseURL: ev.DebugContext.DebugData["baseUrl"], Result: ev.Outcome.Result, Reason: ev.Outcome.Reason})
		}
	}
	return out, nil
}

// refusals lists the failed provisioning attempts of the System Log, one line per user (the
// latest reason wins: a user retried after a fix shows what happened last).
func (c *client) refusals(ctx context.Context) ([]refusal, error) {
	q := url.Values{"filter": {`outcome.result eq "FAILURE"`}, "limit": {"1000"}}
	var events []logEvent
	if err := c.okta(ctx, http.MethodGet, "/api/v1/logs?"+q.Encode(), &events); err != nil {
		return nil, err
	}
	byLogin := map[string]refusal{}
	var order []string
	for _, ev := range events {
		if ev.Outcome.Result != "FAILURE" || !strings.HasPrefix(ev.EventType, "application.provision.user") {
			continue
		}
		login := ""
		for _, t := range ev.Target {
			if t.Type == "User" {
				login = t.AlternateID
				if login == "" {
					login = t.DisplayName
				}
			}
		}
		if login == "" {
			continue
		}
		reason := ev.Outcome.Reason
		if reason == "" {
			reason = ev.DisplayMessage
		}
		if _, seen := byLogin[login]; !seen {
			order = append(order, login)
		}
		byLogin[login] = refusal{Login: login, Event: ev.EventType, Reason: reason}
	}
	out := make([]refusal, 0, len(order))
	for _, login := range order {
		out = append(out, byLogin[login])
	}
	return out, nil
}

func (c *client) waitProvisioning(ctx context.Context, timeout time.Duration) error {
	var counts struct {
		Pending int `json:"pending"`
		Failed  int `json:"failed"`
	}
	path := "/api/v1/_backend/provisioning/wait?timeout=" + url.QueryEscape(timeout.String())
	if err := c.okta(ctx, http.MethodGet, path, &counts); err != nil {
		var aerr *apiError
		if errors.As(err, &aerr) && aerr.Status == http.StatusGatewayTimeout {
			return fmt.Errorf("provisioning still busy after %s: %s", timeout, aerr.Body)
		}
		return err
	}
	fmt.Printf("provisioning queue idle: %d pending, %d failed tasks\n", counts.Pending, counts.Failed)
	fmt.Println(queueLegend)
	return nil
}

// The one-line explanations of the Okta terms the demo prints.
const (
	queueLegend = "  (a task is Okta's job of pushing one person's change to Wrike over SCIM; pending: still to be tried or retried;\n" +
		"   failed: Okta gave up, as it does at once when Wrike refuses the person)"
	credentialsLegend = "  (Test API Credentials: before Okta saves a SCIM URL and token, it checks that Wrike answers them by listing users)" //nolint:gosec // an explanation, not a credential
	systemLogLegend   = "  (the System Log is Okta's audit trail; each line above is its event type and the reason Wrike gave)"
)

// eventLegend explains the System Log event types of provisioning.
var eventLegend = map[string]string{
	"application.provision.user.push":         "Okta pushed a person to the app: here, created or linked the user in Wrike over SCIM",
	"application.provision.user.push_profile": "Okta pushed a profile change (name, title, department...) to Wrike",
	"application.provision.user.deactivate":   "Okta deactivated the user in Wrike (unassigned or deactivated in Okta)",
	"application.provision.user.reactivate":   "Okta reactivated the user in Wrike (assigned again)",
}

// deactivateOne deactivates in Okta the first active Regular user found in Wrike; oktaUsers is
// the JSON object login → Okta user id that dev.env exports as TF_VAR_okta_users.
func (c *client) deactivateOne(ctx context.Context, oktaUsers string) (string, error) {
	ids := map[string]string{}
	if err := json.Unmarshal([]byte(oktaUsers), &ids); err != nil {
		return "", fmt.Errorf("TF_VAR_okta_users is not a JSON object of login to id: %w", err)
	}
	users, err := c.users(ctx)
	if err != nil {
		return "", err
	}
	for _, u := range users {
		if !u.Active || u.UserType != "Regular" {
			continue
		}
		id := ids[u.UserName]
		if id == "" {
			id = ids[u.Email]
		}
		if id == "" {
			continue
		}
		if err := c.okta(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(id)+"/lifecycle/deactivate", nil); err != nil {
			return "", err
		}
		return u.UserName, nil
	}
	return "", errors.New("no active Regular user in Wrike that is also an Okta user")
}

func printUsers(w io.Writer, users []wrikeapi.User) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER NAME\tNAME\tTITLE\tDEPARTMENT\tORGANIZATION\tPHONE\tUSER TYPE\tACTIVE\tBILLABLE")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.UserName, u.FirstName, u.LastName,
			dash(u.Title), dash(u.Department), dash(u.Organization), dash(u.Phone), u.UserType, yesNo(u.Active), yesNo(u.Billable))
	}
	_ = tw.Flush()
}

func printRefusals(w io.Writer, refusals []refusal) {
	if len(refusals) == 0 {
		fmt.Fprintln(w, "no failed provisioning attempts in the System Log")
		return
	}
	events := map[string]bool{}
	for _, r := range refusals {
		fmt.Fprintf(w, "%s\n    %s: %s\n", r.Login, r.Event, r.Reason)
		events[r.Event] = true
	}
	fmt.Fprintln(w, systemLogLegend)
	for _, e := range sortedKeys(events) {
		if legend, ok := eventLegend[e]; ok {
			fmt.Fprintf(w, "  (%s: %s)\n", e, legend)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tokenShownOnce reads `terraform show -json` and prints the first characters of each
// wrike_api_token's token: Wrike showed it once, in its answer to the apply, and keeps only a
// hash; from then on the token is in Terraform's state alone (and with Okta, which got a copy).
func tokenShownOnce(r io.Reader, w io.Writer) error {
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Values struct {
						AppName string `json:"app_name"`
						Token   string `json:"token"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.NewDecoder(r).Decode(&state); err != nil {
		return fmt.Errorf("token-shown-once: stdin is not terraform show -json: %w", err)
	}
	shown := 0
	for _, res := range state.Values.RootModule.Resources {
		if res.Type != "wrike_api_token" || res.Values.Token == "" {
			continue
		}
		tok := res.Values.Token
		fmt.Fprintf(w, "Wrike showed the v4 token of API app %q once, in its answer to terraform apply: %s… (%d characters; only these are shown here)\n",
			res.Values.AppName, tok[:min(10, len(tok)/3)], len(tok))
		fmt.Fprintln(w, "Wrike keeps only its hash. From now on the token lives only in Terraform's state (a sensitive value) and with Okta,")
		fmt.Fprintln(w, "which got it through bearer_token_wo (write-only: not stored in the state a second time).")
		shown++
	}
	if shown == 0 {
		return errors.New("token-shown-once: no wrike_api_token with a token in the state")
	}
	return nil
}

func printCredentialTests(w io.Writer, tests []credentialTest) {
	if len(tests) == 0 {
		fmt.Fprintln(w, "no Test API Credentials run in the System Log")
		return
	}
	for _, t := range tests {
		line := fmt.Sprintf("Test API Credentials against %s: %s", t.BaseURL, t.Result)
		if t.Reason != "" {
			line += " (" + t.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, credentialsLegend)
}

func printAccount(w io.Writer, a *wrikeapi.Account) {
	fmt.Fprintf(w, "billable seats: %d (active members %d, deactivated members %d)\n", a.BillableSeats, a.ActiveMembers, a.DeactivatedMembers)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// portsFree fails when another process already listens on one of the addresses, so the demo
// stops before starting a backend that could not bind.
func portsFree(addrs []string) error {
	for _, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s is already in use (another wrike-backend or another program); stop it or choose other addresses with DEMO_WRIKE_ADDR / DEMO_OKTA_ADDR", addr)
		}
		_ = l.Close()
	}
	return nil
}

// ready reports whether the backend has written file (dev.env) and every URL answers HTTP at
// all: any status means the listener is up.
func ready(ctx context.Context, file string, urls []string) error {
	if _, err := os.Stat(file); err != nil { //nolint:gosec // the demo script names the file to wait for
		return fmt.Errorf("%s not written yet", file)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // the demo script names its own loopback backend
		if err != nil {
			return err
		}
		resp, err := hc.Do(req) //nolint:gosec // as above
		if err != nil {
			return fmt.Errorf("%s does not answer yet", u)
		}
		_ = resp.Body.Close()
	}
	return nil
}
