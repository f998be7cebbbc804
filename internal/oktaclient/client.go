// Package oktaclient is the provider's client of the part of Okta's
// Management API that configures an app's SCIM provisioning: the app, its
// default provisioning connection, the USER_PROVISIONING feature, and its
// group and user assignments, in the shapes of internal/oktaapi. It speaks
// Okta's real paths, so it works against an Okta org and against the
// reference backend's Okta face alike. Transport (retries honouring
// X-Rate-Limit-Reset, Link paging, secret-free logs) is internal/httpclient;
// this package adds Okta's error document and the calls.
package oktaclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/httpheader"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

// Sentinels an error of this package matches with errors.Is.
var (
	ErrNotFound     = httpclient.ErrNotFound     // 404, E0000007
	ErrUnauthorized = httpclient.ErrUnauthorized // 401, E0000011 (invalid token)
	ErrForbidden    = httpclient.ErrForbidden    // 403, E0000006
	ErrRateLimited  = httpclient.ErrRateLimited  // 429, E0000047, after the retries
	ErrBadRequest   = httpclient.ErrBadRequest   // 400, E0000001 validation, E0000003 malformed
	ErrConflict     = httpclient.ErrConflict     // 409
	ErrServer       = httpclient.ErrServer       // 5xx after the retries
)

// Error is a call Okta refused, with Okta's own error document.
type Error struct {
	StatusCode   int
	ErrorCode    string   // e.g. E0000001
	ErrorSummary string   // e.g. "Api validation failed: connection"
	ErrorCauses  []string // each cause's errorSummary
	err          *httpclient.Error
}

// Error reads like "Okta API: POST https://org/api/v1/apps/x/connections/default:
// HTTP 400 E0000001: Api validation failed (cause; cause)".
func (e *Error) Error() string { return e.err.Error() }

// Unwrap exposes the transport error, and through it the sentinel.
func (e *Error) Unwrap() error { return e.err }

// Is makes Okta's not-found code match ErrNotFound whatever the status.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.ErrorCode == "E0000007"
}

// Config says where the Okta org is and how to call it.
type Config struct {
	// OrgURL is the org's base URL, e.g. https://example.okta.com.
	OrgURL string
	// APIToken is an Okta API token, sent as "SSWS <token>".
	APIToken string
	// UserAgent is sent on every request.
	UserAgent string

	HTTPClient   *http.Client
	RetryMax     int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// Logger receives retry logs; the token never appears in them.
	Logger *slog.Logger
}

// Client calls one Okta org. It is safe for concurrent use.
type Client struct {
	hc *httpclient.Client
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIToken) == "" {
		return nil, errors.New("oktaclient: an Okta API token is required")
	}
	hc, err := httpclient.New(httpclient.Config{
		BaseURL:       cfg.OrgURL,
		Authorization: "SSWS " + cfg.APIToken,
		UserAgent:     cfg.UserAgent,
		DecodeError:   decodeError,
		API:           "Okta",
		HTTPClient:    cfg.HTTPClient,
		RetryMax:      cfg.RetryMax,
		RetryWaitMin:  cfg.RetryWaitMin,
		RetryWaitMax:  cfg.RetryWaitMax,
		Logger:        cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("oktaclient: %w", err)
	}
	return &Client{hc: hc}, nil
}

type errorDocument struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

func decodeError(body []byte) (code, message string, causes []string, ok bool) {
	var doc errorDocument
	if err := json.Unmarshal(body, &doc); err != nil || doc.ErrorCode == "" {
		return "", "", nil, false
	}
	for _, c := range doc.ErrorCauses {
		if c.ErrorSummary != "" {
			causes = append(causes, c.ErrorSummary)
		}
	}
	return doc.ErrorCode, doc.ErrorSummary, causes, true
}

func wrap(err error) error {
	var he *httpclient.Error
	if errors.As(err, &he) {
		return &Error{
			StatusCode:   he.StatusCode,
			ErrorCode:    he.Code,
			ErrorSummary: he.Message,
			ErrorCauses:  he.Causes,
			err:          he,
		}
	}
	return err
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	_, err := c.hc.Do(ctx, httpclient.Request{Method: method, Path: path, Query: query, Body: body}, out)
	return wrap(err)
}

// GroupQuery narrows a group list; empty fields are not sent.
type GroupQuery struct {
	Q      string // name prefix
	Filter string // e.g. type eq "BUILT_IN"
	Search string
}

// Pager reads a list endpoint one page at a time, following Link
// rel="next", so a caller can stop as soon as it has what it looks for.
type Pager[T any] struct {
	c    *Client
	req  httpclient.Request
	done bool
}

func newPager[T any](c *Client, path string, query url.Values) *Pager[T] {
	return &Pager[T]{c: c, req: httpclient.Request{Method: http.MethodGet, Path: path, Query: query}}
}

// Next returns the next page; done is true once there is none after it.
// Calling Next after done returns an empty page.
func (p *Pager[T]) Next(ctx context.Context) (page []T, done bool, err error) {
	if p.done {
		return nil, true, nil
	}
	resp, err := p.c.hc.Do(ctx, p.req, &page)
	if err != nil {
		return nil, false, wrap(err)
	}
	next := httpheader.NextLink(resp.Header)
	p.done = next == "" || len(page) == 0
	p.req = httpclient.Request{Method: http.MethodGet, URL: next}
	return page, p.done, nil
}

// list fetches every page of a list endpoint.
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var all []T
	p := newPager[T](c, path, query)
	for {
		page, done, err := p.Next(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if done {
			return all, nil
		}
	}
}

// pageLimit is the page size asked for on list calls: Okta's maximum for
// users and app groups, so a large org or app is read in few calls.
const pageLimit = "200"

func appPath(appID string, rest ...string) string {
	p := "/api/v1/apps/" + url.PathEscape(appID)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// GetApp returns an app instance.
func (c *Client) GetApp(ctx context.Context, appID string) (*oktaapi.App, error) {
	var a oktaapi.App
	if err := c.do(ctx, http.MethodGet, appPath(appID), nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListAppsNamed returns the org's app instances of the catalogue app
// named name (Okta's app name, such as "wrike", not the label an admin
// gave the instance), all pages.
func (c *Client) ListAppsNamed(ctx context.Context, name string) ([]oktaapi.App, error) {
	return list[oktaapi.App](ctx, c, "/api/v1/apps", url.Values{"limit": {pageLimit}, "filter": {`name eq "` + name + `"`}})
}

// GetDefaultConnection returns the app's default provisioning connection.
// Status is StatusUnknown for apps Okta's API cannot provision.
func (c *Client) GetDefaultConnection(ctx context.Context, appID string) (*oktaapi.ProvisioningConnection, error) {
	var pc oktaapi.ProvisioningConnection
	if err := c.do(ctx, http.MethodGet, appPath(appID, "connections", "default"), nil, nil, &pc); err != nil {
		return nil, err
	}
	return &pc, nil
}

// SetDefaultConnection saves the app's default provisioning connection.
// With activate, Okta first tests the credentials against the SCIM base URL
// and refuses to save (ErrBadRequest, E0000001 with causes) when they fail.
func (c *Client) SetDefaultConnection(ctx context.Context, appID string, req oktaapi.ProvisioningConnectionRequest, activate bool) (*oktaapi.ProvisioningConnection, error) {
	q := url.Values{"activate": {fmt.Sprint(activate)}}
	var pc oktaapi.ProvisioningConnection
	if err := c.do(ctx, http.MethodPost, appPath(appID, "connections", "default"), q, req, &pc); err != nil {
		return nil, err
	}
	return &pc, nil
}

// ActivateDefaultConnection activates the saved connection; Okta re-tests
// its credentials.
func (c *Client) ActivateDefaultConnection(ctx context.Context, appID string) error {
	return c.do(ctx, http.MethodPost, appPath(appID, "connections", "default", "lifecycle", "activate"), nil, nil, nil)
}

// DeactivateDefaultConnection stops provisioning through the connection.
func (c *Client) DeactivateDefaultConnection(ctx context.Context, appID string) error {
	return c.do(ctx, http.MethodPost, appPath(appID, "connections", "default", "lifecycle", "deactivate"), nil, nil, nil)
}

// GetFeature returns one app feature, e.g. FeatureUserProvisioning.
func (c *Client) GetFeature(ctx context.Context, appID, name string) (*oktaapi.Feature, error) {
	var f oktaapi.Feature
	if err := c.do(ctx, http.MethodGet, appPath(appID, "features", url.PathEscape(name)), nil, nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// UpdateFeature replaces a feature's capabilities.
func (c *Client) UpdateFeature(ctx context.Context, appID, name string, caps oktaapi.Capabilities) (*oktaapi.Feature, error) {
	var f oktaapi.Feature
	if err := c.do(ctx, http.MethodPut, appPath(appID, "features", url.PathEscape(name)), nil, caps, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// ListGroupAssignments returns every group assigned to the app, all pages.
func (c *Client) ListGroupAssignments(ctx context.Context, appID string) ([]oktaapi.ApplicationGroupAssignment, error) {
	return list[oktaapi.ApplicationGroupAssignment](ctx, c, appPath(appID, "groups"), url.Values{"limit": {pageLimit}})
}

// AssignGroup assigns a group to the app, or updates its assignment.
func (c *Client) AssignGroup(ctx context.Context, appID, groupID string, a oktaapi.ApplicationGroupAssignment) (*oktaapi.ApplicationGroupAssignment, error) {
	a.ID, a.LastUpdated = "", ""
	var out oktaapi.ApplicationGroupAssignment
	if err := c.do(ctx, http.MethodPut, appPath(appID, "groups", url.PathEscape(groupID)), nil, a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UnassignGroup removes a group's assignment from the app.
func (c *Client) UnassignGroup(ctx context.Context, appID, groupID string) error {
	return c.do(ctx, http.MethodDelete, appPath(appID, "groups", url.PathEscape(groupID)), nil, nil, nil)
}

// ListAppUsers returns every user assigned to the app, directly or through
// a group, all pages.
func (c *Client) ListAppUsers(ctx context.Context, appID string) ([]oktaapi.AppUser, error) {
	return list[oktaapi.AppUser](ctx, c, appPath(appID, "users"), url.Values{"limit": {pageLimit}})
}

// AssignUser assigns one user to the app directly (scope USER).
func (c *Client) AssignUser(ctx context.Context, appID, userID string, profile oktaapi.AssignmentProfile) (*oktaapi.AppUser, error) {
	var out oktaapi.AppUser
	body := oktaapi.AppUserAssignRequest{ID: userID, Scope: oktaapi.ScopeUser, Profile: profile}
	if err := c.do(ctx, http.MethodPost, appPath(appID, "users"), nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAppUser changes the app profile of an assigned user.
func (c *Client) UpdateAppUser(ctx context.Context, appID, userID string, profile oktaapi.AssignmentProfile) (*oktaapi.AppUser, error) {
	var out oktaapi.AppUser
	body := struct {
		Profile oktaapi.AssignmentProfile `json:"profile"`
	}{profile}
	if err := c.do(ctx, http.MethodPost, appPath(appID, "users", url.PathEscape(userID)), nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UnassignUser removes a user's direct assignment from the app.
func (c *Client) UnassignUser(ctx context.Context, appID, userID string) error {
	q := url.Values{"sendEmail": {"false"}}
	return c.do(ctx, http.MethodDelete, appPath(appID, "users", url.PathEscape(userID)), q, nil, nil)
}

// ListProvisioningTasks returns the app's provisioning tasks with status
// (TaskPending or TaskFailed; "" for both), all pages. Only the reference
// backend's Okta face offers it; an Okta org answers 404 (ErrNotFound).
func (c *Client) ListProvisioningTasks(ctx context.Context, appID, status string) ([]oktaapi.ProvisioningTask, error) {
	q := url.Values{"limit": {pageLimit}}
	if status != "" {
		q.Set("status", status)
	}
	return list[oktaapi.ProvisioningTask](ctx, c, appPath(appID, "provisioning", "tasks"), q)
}

// RetryFailedProvisioningTasks queues every FAILED provisioning task of
// the app again and returns how many. Only the reference backend's Okta
// face offers it; an Okta org answers 404 (ErrNotFound), and its failed
// tasks are retried in the Admin Console (Dashboard → Tasks).
func (c *Client) RetryFailedProvisioningTasks(ctx context.Context, appID string) (int, error) {
	var out struct {
		Retried int `json:"retried"`
	}
	err := c.do(ctx, http.MethodPost, appPath(appID, "provisioning", "tasks", "lifecycle", "retry"), nil, struct{}{}, &out)
	return out.Retried, err
}

// RecentProvisioningFailures returns the System Log's most recent failed
// provisioning events of the app (at most limit, newest first, from the
// last 7 days): Okta's public record of why a push was refused.
func (c *Client) RecentProvisioningFailures(ctx context.Context, appID string, limit int) ([]oktaapi.LogEvent, error) {
	q := url.Values{
		"filter":    {`outcome.result eq "FAILURE" and target.id eq "` + appID + `"`},
		"sortOrder": {"DESCENDING"},
		"limit":     {strconv.Itoa(limit)},
	}
	var out []oktaapi.LogEvent
	err := c.do(ctx, http.MethodGet, "/api/v1/logs", q, nil, &out)
	return out, err
}

// ListGroups returns the groups matching q, all pages.
func (c *Client) ListGroups(ctx context.Context, q GroupQuery) ([]oktaapi.Group, error) {
	v := url.Values{"limit": {pageLimit}}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	return list[oktaapi.Group](ctx, c, "/api/v1/groups", v)
}

// GroupPages pages through the org's groups, every type.
func (c *Client) GroupPages() *Pager[oktaapi.Group] {
	return newPager[oktaapi.Group](c, "/api/v1/groups", url.Values{"limit": {pageLimit}})
}

// UserPages pages through the org's users.
func (c *Client) UserPages() *Pager[oktaapi.User] {
	return newPager[oktaapi.User](c, "/api/v1/users", url.Values{"limit": {pageLimit}})
}

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, userID string) (*oktaapi.User, error) {
	var u oktaapi.User
	if err := c.do(ctx, http.MethodGet, "/api/v1/users/"+url.PathEscape(userID), nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetGroup returns one group.
func (c *Client) GetGroup(ctx context.Context, groupID string) (*oktaapi.Group, error) {
	var g oktaapi.Group
	if err := c.do(ctx, http.MethodGet, "/api/v1/groups/"+url.PathEscape(groupID), nil, nil, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// GroupMemberPages pages through a group's members.
func (c *Client) GroupMemberPages(groupID string) *Pager[oktaapi.User] {
	return newPager[oktaapi.User](c, "/api/v1/groups/"+url.PathEscape(groupID)+"/users", url.Values{"limit": {pageLimit}})
}

// ListUserGroups returns the groups a user is a member of.
func (c *Client) ListUserGroups(ctx context.Context, userID string) ([]oktaapi.Group, error) {
	return list[oktaapi.Group](ctx, c, "/api/v1/users/"+url.PathEscape(userID)+"/groups", nil)
}

// EveryoneGroup returns the org's built-in group that holds every user.
func (c *Client) EveryoneGroup(ctx context.Context) (*oktaapi.Group, error) {
	groups, err := c.ListGroups(ctx, GroupQuery{Filter: `type eq "` + oktaapi.GroupTypeBuiltIn + `"`})
	if err != nil {
		return nil, err
	}
	for i := range groups {
		if groups[i].Type == oktaapi.GroupTypeBuiltIn && groups[i].Profile.Name == oktaapi.EveryoneGroupName {
			return &groups[i], nil
		}
	}
	return nil, fmt.Errorf("the Okta org has no built-in %q group: %w", oktaapi.EveryoneGroupName, ErrNotFound)
}
