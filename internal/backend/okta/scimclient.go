package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/httpheader"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// SCIM 2.0 schema URNs the client sends and expects.
const (
	schemaUser       = scim.SchemaUser
	schemaEnterprise = scim.SchemaEnterpriseUser
	schemaWrike      = scim.SchemaWrikeUser
	schemaPatchOp    = scim.SchemaPatchOp
	schemaList       = scim.SchemaListResponse
	schemaError      = scim.SchemaError
	scimContentType  = scim.ContentType + "; charset=utf-8"
	userAgent        = "Okta SCIM Client 1.0.0"
	maxSCIMResponse  = 1 << 20
)

// scimClient speaks SCIM 2.0 to a service provider the way Okta's
// provisioning does.
type scimClient struct {
	http    *http.Client
	timeout time.Duration
	// now reads a Retry-After date on the engine's clock.
	now func() time.Time
}

func newSCIMClient(c *http.Client, workers int, timeout time.Duration, now func() time.Time) *scimClient {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if c == nil {
		t, _ := http.DefaultTransport.(*http.Transport)
		t = t.Clone()
		t.MaxIdleConnsPerHost = max(workers, 16) * 2
		c = &http.Client{Transport: t}
	}
	return &scimClient{http: c, timeout: timeout, now: now}
}

// callError is a failed SCIM call: the downstream reason, and whether
// retrying may help (network errors, timeouts, 429, 5xx).
type callError struct {
	status     int
	scimType   string
	reason     string
	retriable  bool
	retryAfter time.Duration
}

func (e *callError) Error() string { return e.reason }

// call sends one request with the per-call timeout and returns the status
// and body of any answer; a transport failure is a retriable callError.
func (c *scimClient) call(ctx context.Context, method, u, token string, body any) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, &callError{reason: "encode request: " + err.Error()}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, &callError{reason: "build request: " + err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", scimContentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, &callError{reason: scrub(transportReason(method, u, err), token), retriable: true}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSCIMResponse))
	if err != nil {
		return 0, nil, &callError{reason: scrub(transportReason(method, u, err), token), retriable: true}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, b, httpError(resp, b, token, c.now())
	}
	return resp.StatusCode, b, nil
}

func transportReason(method, u string, err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Sprintf("%s %s timed out", method, redactQuery(u))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Sprintf("%s %s failed: %v", method, redactQuery(u), err)
}

// redactQuery keeps logs short and free of filter values.
func redactQuery(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

// httpError turns an error answer into a callError. A SCIM Error body gives
// its detail, shortened and scrubbed of anything token-like; any other body
// (an HTML error page of a proxy, plain text) is never echoed, only
// described by status, content type and length.
func httpError(resp *http.Response, body []byte, token string, now time.Time) *callError {
	e := &callError{status: resp.StatusCode}
	var se struct {
		Schemas  []string `json:"schemas"`
		Detail   string   `json:"detail"`
		ScimType string   `json:"scimType"`
	}
	if json.Unmarshal(body, &se) == nil && slices.Contains(se.Schemas, schemaError) {
		e.scimType = scrub(se.ScimType, token)
		e.reason = scrub(se.Detail, token)
	}
	if e.reason == "" {
		ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		if ct = strings.TrimSpace(ct); ct == "" || len(ct) > 64 {
			ct = "no content type"
		}
		e.reason = fmt.Sprintf("HTTP %d %s (%s, %d bytes)", resp.StatusCode, http.StatusText(resp.StatusCode), ct, len(body))
	}
	e.retriable = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	e.retryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// retryAfter is the wait a Retry-After header asks for: delay-seconds or an
// HTTP date (past dates ask for none), and, leniently, fractional seconds
// rounded up. Anything else (negative, not a number) asks for none.
func retryAfter(v string, now time.Time) time.Duration {
	if d, ok := httpheader.RetryAfter(v, now); ok {
		return d
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0
	}
	if f >= float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64/int64(time.Second)) * time.Second
	}
	return time.Duration(math.Ceil(f)) * time.Second
}

// maxReason bounds the reason recorded for a failed call, in characters.
const maxReason = 200

// tokenLike matches what may be a credential in downstream text: bearer,
// SSWS and basic values, Wrike's token formats, and Okta's API token shape.
var tokenLike = regexp.MustCompile(`(?i)\b(bearer|ssws|basic)(\s+|%20|:\s*)[^\s"',;<>()\[\]{}]+|\bwrk[a4]_[A-Za-z0-9_-]+|\b00[A-Za-z0-9_-]{40}\b`)

// scrub makes downstream text safe to record: secrets (and anything shaped
// like a token) replaced, control characters flattened, and at most
// maxReason characters.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = tokenLike.ReplaceAllStringFunc(s, func(m string) string {
		if sm := tokenLike.FindStringSubmatch(m); sm[1] != "" {
			return sm[1] + " [redacted]"
		}
		return "[redacted]"
	})
	s = strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, ""), func(r rune) bool { return r < ' ' || r == 0x7f }), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason]) + "…"
	}
	return s
}

func malformed(what string, err error) *callError {
	return &callError{reason: "the SCIM answer to " + what + " is malformed: " + err.Error()}
}

// scimUser is the full SCIM representation Okta pushes: the mapped profile
// attributes that have a value (absent ones are left out, so the service
// provider keeps what it holds), and userType only when an assignment sets it.
// externalId is the Okta user id, as in Okta's create request; the PUT
// carries it too, since a PUT replaces the user and would clear it.
func scimUser(u store.OktaUser, userType, id string, active bool) map[string]any {
	p := u.Profile
	schemas := []string{schemaUser}
	m := map[string]any{"userName": p["login"], "active": active}
	if u.ID != "" {
		m["externalId"] = u.ID
	}
	if id != "" {
		m["id"] = id
	}
	name := map[string]string{}
	if v := p["firstName"]; v != "" {
		name["givenName"] = v
	}
	if v := p["lastName"]; v != "" {
		name["familyName"] = v
	}
	if len(name) > 0 {
		m["name"] = name
	}
	if v := p["firstName"] + " " + p["lastName"]; strings.TrimSpace(v) != "" {
		m["displayName"] = strings.TrimSpace(v)
	}
	if v := p["email"]; v != "" {
		m["emails"] = []map[string]any{{"value": v, "type": "work", "primary": true}}
	}
	if v := p["title"]; v != "" {
		m["title"] = v
	}
	if v := p["primaryPhone"]; v != "" {
		m["phoneNumbers"] = []map[string]any{{"value": v, "type": "work", "primary": true}}
	}
	ent := map[string]string{}
	if v := p["organization"]; v != "" {
		ent["organization"] = v
	}
	if v := p["department"]; v != "" {
		ent["department"] = v
	}
	if len(ent) > 0 {
		schemas = append(schemas, schemaEnterprise)
		m[schemaEnterprise] = ent
	}
	if userType != "" {
		schemas = append(schemas, schemaWrike)
		m[schemaWrike] = map[string]string{"userType": userType}
	}
	m["schemas"] = schemas
	return m
}

type scimResource struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
	Active   *bool  `json:"active"`
}

// findByUserName is Okta's lookup before a create:
// GET /Users?filter=userName eq "x". It returns the id, or "" when none.
// Only a user whose userName is the same address in canonical form counts:
// a service provider that compares with Unicode case folding answers a
// look-alike (U+212A for "k"), and linking to it would hand the person
// another's account.
func (c *scimClient) findByUserName(ctx context.Context, base, token, userName string) (string, error) {
	q := url.Values{}
	q.Set("filter", `userName eq "`+strings.ReplaceAll(userName, `"`, `\"`)+`"`)
	q.Set("startIndex", "1")
	q.Set("count", "100")
	_, body, err := c.call(ctx, http.MethodGet, base+"/Users?"+q.Encode(), token, nil)
	if err != nil {
		return "", err
	}
	var list struct {
		TotalResults *int           `json:"totalResults"`
		Resources    []scimResource `json:"Resources"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return "", malformed("GET /Users", err)
	}
	if list.TotalResults == nil {
		return "", malformed("GET /Users", errors.New("no totalResults"))
	}
	key := mailaddr.Key(userName)
	for _, r := range list.Resources {
		if r.ID != "" && mailaddr.Key(r.UserName) == key {
			return r.ID, nil
		}
	}
	return "", nil
}

// get fetches a user; found is false on 404.
func (c *scimClient) get(ctx context.Context, base, token, id string) (found bool, err error) {
	_, found, err = c.read(ctx, base, token, id)
	return found, err
}

// read fetches a user; found is false on 404.
func (c *scimClient) read(ctx context.Context, base, token, id string) (r scimResource, found bool, err error) {
	status, body, err := c.call(ctx, http.MethodGet, base+"/Users/"+url.PathEscape(id), token, nil)
	if status == http.StatusNotFound {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal(body, &r); err != nil || r.ID == "" {
		if err == nil {
			err = errors.New("no id")
		}
		return r, false, malformed("GET /Users/{id}", err)
	}
	return r, true, nil
}

// create POSTs a user and returns its id.
func (c *scimClient) create(ctx context.Context, base, token string, user map[string]any) (string, error) {
	_, body, err := c.call(ctx, http.MethodPost, base+"/Users", token, user)
	if err != nil {
		return "", err
	}
	var r scimResource
	if err := json.Unmarshal(body, &r); err != nil || r.ID == "" {
		if err == nil {
			err = errors.New("no id")
		}
		return "", malformed("POST /Users", err)
	}
	userName, _ := user["userName"].(string)
	if mailaddr.Key(r.UserName) != mailaddr.Key(userName) || r.Active == nil || !*r.Active {
		return "", notAsAsked("POST /Users", "the user created, active")
	}
	return r.ID, nil
}

// replace PUTs the full user (always active); found is false on 404.
func (c *scimClient) replace(ctx context.Context, base, token, id string, user map[string]any) (found bool, err error) {
	status, body, err := c.call(ctx, http.MethodPut, base+"/Users/"+url.PathEscape(id), token, user)
	if status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, c.confirm(ctx, base, token, "PUT /Users/{id}", id, body, true)
}

// deactivate PATCHes active=false the way Okta does; found is false on 404.
func (c *scimClient) deactivate(ctx context.Context, base, token, id string) (found bool, err error) {
	patch := map[string]any{
		"schemas":    []string{schemaPatchOp},
		"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": false}}},
	}
	status, body, err := c.call(ctx, http.MethodPatch, base+"/Users/"+url.PathEscape(id), token, patch)
	if status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, c.confirm(ctx, base, token, "PATCH /Users/{id}", id, body, false)
}

// confirm checks that the 2xx answer to a change shows the user as asked
// (id and active flag); an answer without a body (204) is checked by
// reading the user back. A service provider, or a proxy before it, that
// says 200 without having done the change gets the change sent again.
func (c *scimClient) confirm(ctx context.Context, base, token, what, id string, body []byte, active bool) error {
	state := "the user deactivated"
	if active {
		state = "the user active"
	}
	var r scimResource
	if len(bytes.TrimSpace(body)) == 0 {
		got, found, err := c.read(ctx, base, token, id)
		if err != nil {
			return err
		}
		if !found {
			return notAsAsked(what+" (read back: 404)", state)
		}
		r = got
	} else if err := json.Unmarshal(body, &r); err != nil {
		return malformed(what, err)
	}
	if r.ID != id || r.Active == nil || *r.Active != active {
		return notAsAsked(what, state)
	}
	return nil
}

// notAsAsked is a 2xx answer that does not show the change asked for:
// retried, as the change may not have been made.
func notAsAsked(what, state string) *callError {
	return &callError{reason: "the SCIM answer to " + what + " does not show " + state, retriable: true}
}

// testCredentials is "Test API Credentials": GET {base}/Users?startIndex=1&count=2
// must answer a SCIM ListResponse. It returns why the test failed, or "".
func (c *scimClient) testCredentials(ctx context.Context, base, token string) string {
	status, body, err := c.call(ctx, http.MethodGet, base+"/Users?startIndex=1&count=2", token, nil)
	var ce *callError
	switch {
	case err == nil:
	case status == http.StatusUnauthorized:
		return "the SCIM endpoint rejected the token (HTTP 401: " + errorReason(err) + ")"
	case status == http.StatusForbidden:
		return "the SCIM endpoint refused access (HTTP 403: " + errorReason(err) + "); check that the SCIM integration is enabled"
	case status == http.StatusNotFound:
		return "there is no SCIM Users endpoint at " + base + "/Users (HTTP 404); check the base URL"
	case status != 0:
		return "the SCIM endpoint answered HTTP " + strconv.Itoa(status) + ": " + errorReason(err)
	case errors.As(err, &ce):
		return "could not reach the SCIM endpoint: " + ce.reason
	default:
		return err.Error()
	}
	var list struct {
		Schemas      []string `json:"schemas"`
		TotalResults *int     `json:"totalResults"`
	}
	if err := json.Unmarshal(body, &list); err != nil || list.TotalResults == nil || !slices.Contains(list.Schemas, schemaList) {
		return "the answer from " + base + "/Users is not a SCIM ListResponse; check the base URL"
	}
	return ""
}

func errorReason(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.reason
	}
	return err.Error()
}
