// Package wrikeclient is the provider's client of the Wrike admin API
// (/api/v4): approved domains, API apps and their tokens, SCIM integrations,
// the account and provisioned users, in the shapes of internal/wrikeapi.
// Requests, retries and error decoding go through internal/httpclient;
// errors match the sentinels below with errors.Is and carry Wrike's own
// errorDescription.
package wrikeclient

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// Sentinels for errors.Is; every error from the API is an *Error.
var (
	ErrNotFound     = httpclient.ErrNotFound
	ErrConflict     = httpclient.ErrConflict
	ErrUnauthorized = httpclient.ErrUnauthorized
	ErrForbidden    = httpclient.ErrForbidden
	ErrRateLimited  = httpclient.ErrRateLimited
	ErrBadRequest   = httpclient.ErrBadRequest
	ErrServer       = httpclient.ErrServer
	ErrMalformed    = httpclient.ErrMalformed
)

// Error is a failed call with Wrike's error code and errorDescription.
type Error = httpclient.Error

// Config says where Wrike is and how to reach it.
type Config struct {
	// URL is the base URL of Wrike; the client adds /api/v4.
	URL string
	// Token is a Wrike admin token.
	Token string
	// Version is the provider version, sent in the User-Agent.
	Version string

	HTTPClient   *http.Client
	Logger       *slog.Logger
	RetryMax     int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
}

// Client calls the Wrike admin API. It is safe for concurrent use.
type Client struct {
	http *httpclient.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	base, err := httpclient.ParseBaseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("wrike URL: %w", err)
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, fmt.Errorf("wrike token is empty")
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	hc, err := httpclient.New(httpclient.Config{
		BaseURL:       base.String() + "/api/v4",
		Authorization: "Bearer " + cfg.Token,
		UserAgent:     "terraform-provider-wrike/" + version,
		DecodeError:   decodeError,
		API:           "Wrike",
		HTTPClient:    cfg.HTTPClient,
		Logger:        cfg.Logger,
		RetryMax:      cfg.RetryMax,
		RetryWaitMin:  cfg.RetryWaitMin,
		RetryWaitMax:  cfg.RetryWaitMax,
	})
	if err != nil {
		return nil, err
	}
	return &Client{http: hc}, nil
}

func decodeError(body []byte) (string, string, []string, bool) {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"errorDescription"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "", "", nil, false
	}
	return e.Error, e.Description, nil, true
}

// envelope is every success answer: {"kind": "...", "data": [...]}.
type envelope[T any] struct {
	Kind string `json:"kind"`
	Data []T    `json:"data"`
}

func list[T any](ctx context.Context, c *Client, method, path string, query url.Values, body any) ([]T, error) {
	var env envelope[T]
	if _, err := c.http.Do(ctx, httpclient.Request{Method: method, Path: path, Query: query, Body: body}, &env); err != nil {
		return nil, err
	}
	if env.Data == nil {
		env.Data = []T{}
	}
	return env.Data, nil
}

func one[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	items, err := list[T](ctx, c, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	if len(items) != 1 {
		return nil, &Error{API: "Wrike", Method: method, URL: path, StatusCode: 200,
			Message: fmt.Sprintf("expected one object in data, got %d", len(items))}
	}
	return &items[0], nil
}

func seg(s string) string { return url.PathEscape(s) }

// ListApprovedDomains returns every approved domain.
func (c *Client) ListApprovedDomains(ctx context.Context) ([]wrikeapi.ApprovedDomain, error) {
	return list[wrikeapi.ApprovedDomain](ctx, c, http.MethodGet, "/approved_domains", nil, nil)
}

// GetApprovedDomain finds a domain by id or by name (any spelling of its canonical form).
func (c *Client) GetApprovedDomain(ctx context.Context, idOrDomain string) (*wrikeapi.ApprovedDomain, error) {
	return one[wrikeapi.ApprovedDomain](ctx, c, http.MethodGet, "/approved_domains/"+seg(idOrDomain), nil)
}

// CreateApprovedDomain approves domain; Wrike stores it in canonical form.
func (c *Client) CreateApprovedDomain(ctx context.Context, domain string) (*wrikeapi.ApprovedDomain, error) {
	return one[wrikeapi.ApprovedDomain](ctx, c, http.MethodPost, "/approved_domains", map[string]string{"domain": domain})
}

// DeleteApprovedDomain removes a domain by id or name.
func (c *Client) DeleteApprovedDomain(ctx context.Context, idOrDomain string) error {
	_, err := list[wrikeapi.ApprovedDomain](ctx, c, http.MethodDelete, "/approved_domains/"+seg(idOrDomain), nil, nil)
	return err
}

// ListAPIApps returns every API app, without tokens.
func (c *Client) ListAPIApps(ctx context.Context) ([]wrikeapi.APIApp, error) {
	return list[wrikeapi.APIApp](ctx, c, http.MethodGet, "/api_apps", nil, nil)
}

// GetAPIApp returns one API app, without its token.
func (c *Client) GetAPIApp(ctx context.Context, id string) (*wrikeapi.APIApp, error) {
	return one[wrikeapi.APIApp](ctx, c, http.MethodGet, "/api_apps/"+seg(id), nil)
}

// CreateAPIApp creates an app and returns it with its token.
func (c *Client) CreateAPIApp(ctx context.Context, in wrikeapi.APIAppInput) (*wrikeapi.APIApp, error) {
	return one[wrikeapi.APIApp](ctx, c, http.MethodPost, "/api_apps", in)
}

// UpdateAPIApp changes an app's name or description; the token stays.
func (c *Client) UpdateAPIApp(ctx context.Context, id string, in wrikeapi.APIAppUpdate) (*wrikeapi.APIApp, error) {
	return one[wrikeapi.APIApp](ctx, c, http.MethodPut, "/api_apps/"+seg(id), in)
}

// RegenerateAPIAppToken issues a new token; the old one stops working at once.
func (c *Client) RegenerateAPIAppToken(ctx context.Context, id string) (*wrikeapi.APIApp, error) {
	return one[wrikeapi.APIApp](ctx, c, http.MethodPost, "/api_apps/"+seg(id)+"/regenerate_token", nil)
}

// DeleteAPIApp deletes an app and revokes its token.
func (c *Client) DeleteAPIApp(ctx context.Context, id string) error {
	_, err := list[wrikeapi.APIApp](ctx, c, http.MethodDelete, "/api_apps/"+seg(id), nil, nil)
	return err
}

// ListSCIMIntegrations returns the integration of every identity provider.
func (c *Client) ListSCIMIntegrations(ctx context.Context) ([]wrikeapi.SCIMIntegration, error) {
	return list[wrikeapi.SCIMIntegration](ctx, c, http.MethodGet, "/scim_integrations", nil, nil)
}

// GetSCIMIntegration returns one identity provider's integration.
func (c *Client) GetSCIMIntegration(ctx context.Context, identityProvider string) (*wrikeapi.SCIMIntegration, error) {
	return one[wrikeapi.SCIMIntegration](ctx, c, http.MethodGet, "/scim_integrations/"+seg(identityProvider), nil)
}

// UpdateSCIMIntegration enables, disables or changes the default user type.
func (c *Client) UpdateSCIMIntegration(ctx context.Context, identityProvider string, in wrikeapi.SCIMIntegrationUpdate) (*wrikeapi.SCIMIntegration, error) {
	return one[wrikeapi.SCIMIntegration](ctx, c, http.MethodPut, "/scim_integrations/"+seg(identityProvider), in)
}

// GetAccount returns the account.
func (c *Client) GetAccount(ctx context.Context) (*wrikeapi.Account, error) {
	return one[wrikeapi.Account](ctx, c, http.MethodGet, "/account", nil)
}

// UserFilter narrows ListUsers; zero fields do not filter.
type UserFilter struct {
	Domain   string
	Active   *bool
	UserType string
}

// ListUsers returns the users matching f in creation order, following the
// listing's pages (Wrike serves at most 1000 users a page).
func (c *Client) ListUsers(ctx context.Context, f UserFilter) ([]wrikeapi.User, error) {
	q := url.Values{}
	if f.Domain != "" {
		q.Set("domain", f.Domain)
	}
	if f.Active != nil {
		q.Set("active", strconv.FormatBool(*f.Active))
	}
	if f.UserType != "" {
		q.Set("userType", f.UserType)
	}
	users := []wrikeapi.User{}
	seen := map[string]bool{}
	for {
		var page struct {
			envelope[wrikeapi.User]
			NextPageToken string `json:"nextPageToken"`
		}
		if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: "/users", Query: q}, &page); err != nil {
			return nil, err
		}
		users = append(users, page.Data...)
		next := page.NextPageToken
		if next == "" {
			return users, nil
		}
		// A listing that does not move on would never end.
		if len(page.Data) == 0 || seen[next] {
			return nil, &Error{API: "Wrike", Method: http.MethodGet, URL: "/users", StatusCode: http.StatusOK,
				Message: fmt.Sprintf("the user listing does not advance: a page of %d users led to a nextPageToken already seen or to no users", len(page.Data))}
		}
		seen[next] = true
		q.Set("nextPageToken", next)
	}
}
