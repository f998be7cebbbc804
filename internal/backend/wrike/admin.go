package wrike

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/jsonkeys"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// Admin API error kinds. Handlers wrap them with a human reason
// (fmt.Errorf("%w: ...", errX)); adminError maps them to Wrike's codes.
var (
	errInvalidRequest    = errors.New("invalid request")
	errInvalidParameter  = errors.New("invalid parameter")
	errParameterRequired = errors.New("parameter required")
	errNotAuthorized     = errors.New("not authorized")
	errNotAllowed        = errors.New("not allowed")
	errMethodNotFound    = errors.New("method not found")
	errTooLarge          = errors.New("request too large")
)

// adminError maps an error to the admin API's status, code and description.
// It is the one place where the admin API turns errors into HTTP.
func adminError(err error) (status int, code, description string) {
	switch {
	case errors.Is(err, errInvalidRequest):
		status, code = http.StatusBadRequest, "invalid_request"
	case errors.Is(err, errInvalidParameter):
		status, code = http.StatusBadRequest, "invalid_parameter"
	case errors.Is(err, errParameterRequired):
		status, code = http.StatusBadRequest, "parameter_required"
	case errors.Is(err, errNotAuthorized):
		status, code = http.StatusUnauthorized, "not_authorized"
	case errors.Is(err, errNotAllowed):
		status, code = http.StatusForbidden, "not_allowed"
	case errors.Is(err, store.ErrNotFound):
		status, code = http.StatusNotFound, "resource_not_found"
	case errors.Is(err, errMethodNotFound):
		status, code = http.StatusMethodNotAllowed, "method_not_found"
	case errors.Is(err, store.ErrConflict):
		status, code = http.StatusConflict, "already_exists"
	case errors.Is(err, errTooLarge):
		status, code = http.StatusRequestEntityTooLarge, "request_too_large"
	default:
		return http.StatusInternalServerError, "server_error", "internal error"
	}
	return status, code, err.Error()
}

// adminHandler is an admin API handler: it writes success itself and
// returns an error for adminError to answer.
type adminHandler func(w http.ResponseWriter, r *http.Request) error

// admin authenticates the admin token and answers errors in the v4 style.
func (s *Server) admin(h adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := s.authAdmin(r)
		if err == nil {
			err = h(w, r)
		}
		if err == nil {
			return
		}
		status, code, desc := adminError(err)
		if status == http.StatusInternalServerError {
			s.logger(r).Error("admin API failure", "method", r.Method, "path", r.URL.Path, "error", err)
		}
		writeJSON(w, status, map[string]string{"error": code, "errorDescription": desc})
	}
}

func (s *Server) authAdmin(r *http.Request) error {
	tok := bearer(r)
	if tok == "" {
		return fmt.Errorf("%w: an admin token is required (Authorization: Bearer <token>)", errNotAuthorized)
	}
	h := hashToken(tok)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := lookupHash(s.adminTokens, h); ok {
		return nil
	}
	if _, ok := lookupHash(s.appsByToken, h); ok {
		return fmt.Errorf("%w: API app (v4) tokens can call SCIM only, not the admin API", errNotAllowed)
	}
	return fmt.Errorf("%w: the token is not a valid admin token", errNotAuthorized)
}

func methodNotFound(_ http.ResponseWriter, r *http.Request) error {
	return fmt.Errorf("%w: %s is not supported on %s", errMethodNotFound, r.Method, r.URL.Path)
}

func resourceNotFound(_ http.ResponseWriter, r *http.Request) error {
	return fmt.Errorf("%w: no such API method: %s", store.ErrNotFound, r.URL.Path)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"server_error","errorDescription":"cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeData answers {"kind": kind, "data": data}.
func writeData[T any](w http.ResponseWriter, status int, kind string, data []T) {
	if data == nil {
		data = []T{}
	}
	writeJSON(w, status, struct {
		Kind string `json:"kind"`
		Data []T    `json:"data"`
	}{kind, data})
}

// adminParams is a decoded request body: JSON object members or form fields.
type adminParams map[string]any

// readParams decodes a JSON object or form-encoded body (an empty body is no
// parameters). Unknown parameters are refused so that typos do not pass silently.
func readParams(w http.ResponseWriter, r *http.Request, allowed ...string) (adminParams, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fmt.Errorf("%w: the body exceeds %d bytes", errTooLarge, maxBody)
		}
		return nil, fmt.Errorf("%w: cannot read the body: %w", errInvalidRequest, err)
	}
	if i := scim.InvalidUTF8(body); i >= 0 {
		return nil, fmt.Errorf("%w: the body is not valid UTF-8 (byte 0x%02x at offset %d)", errInvalidRequest, body[i], i)
	}
	p := adminParams{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
	// curl -d sends JSON labelled as a form; a body that starts like a JSON
	// object is read as one.
	case ct == "application/x-www-form-urlencoded" && !strings.HasPrefix(trimmed, "{"):
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("%w: malformed form body: %w", errInvalidRequest, err)
		}
		for k, v := range vals {
			if len(v) > 1 {
				return nil, fmt.Errorf("%w: form field %q appears %d times; each field may appear once", errInvalidRequest, strings.ToValidUTF8(k, "?"), len(v))
			}
			if !utf8.ValidString(k) || !utf8.ValidString(v[len(v)-1]) {
				return nil, fmt.Errorf("%w: form field %q is not valid UTF-8", errInvalidRequest, strings.ToValidUTF8(k, "?"))
			}
			p[k] = v[len(v)-1]
		}
	default:
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, fmt.Errorf("%w: the body must be a JSON object: %w", errInvalidRequest, err)
		}
		if d := jsonkeys.Find(body); d != nil {
			return nil, fmt.Errorf("%w: %w", errInvalidRequest, d)
		}
	}
	for k := range p {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%w: unknown parameter %q (allowed: %s)", errInvalidParameter, k, strings.Join(allowed, ", "))
		}
	}
	return p, nil
}

// str returns a string parameter, whether it is present, or an error for a non-string.
func (p adminParams) str(name string) (string, bool, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, fmt.Errorf("%w: %s must be a string", errInvalidParameter, name)
	}
	return s, true, nil
}

// boolean returns a boolean parameter; form bodies send "true"/"false".
func (p adminParams) boolean(name string) (bool, bool, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return false, false, nil
	}
	switch b := v.(type) {
	case bool:
		return b, true, nil
	case string:
		if pb, err := strconv.ParseBool(b); err == nil {
			return pb, true, nil
		}
	}
	return false, true, fmt.Errorf("%w: %s must be true or false", errInvalidParameter, name)
}

func formatDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Approved domains.

type domainJSON struct {
	ID            string `json:"id"`
	Domain        string `json:"domain"`        // canonical: A-labels, lower case
	UnicodeDomain string `json:"unicodeDomain"` // the same domain as people read it
	CreatedDate   string `json:"createdDate"`
}

func toDomainJSON(d store.WrikeApprovedDomain) domainJSON {
	unicode := d.Domain
	if c, err := mailaddr.ParseDomain(d.Domain); err == nil {
		unicode = c.Unicode
	}
	return domainJSON{ID: d.ID, Domain: d.Domain, UnicodeDomain: unicode, CreatedDate: formatDate(d.Created)}
}

func (s *Server) listDomains(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	out := make([]domainJSON, 0, len(s.domains))
	for _, d := range s.domains {
		out = append(out, toDomainJSON(d))
	}
	s.mu.RUnlock()
	writeData(w, http.StatusOK, "approvedDomains", out)
	return nil
}

func (s *Server) createDomain(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "domain")
	if err != nil {
		return err
	}
	domain, ok, err := p.str("domain")
	if err != nil {
		return err
	}
	if !ok || strings.TrimSpace(domain) == "" {
		return fmt.Errorf("%w: domain is required", errParameterRequired)
	}
	canon, err := domainParam(strings.TrimSpace(domain))
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if _, found := s.findDomain(canon.ASCII); found {
		return fmt.Errorf("%w: domain %q is already approved", store.ErrConflict, canon.ASCII)
	}
	d := store.WrikeApprovedDomain{ID: s.newID(), Domain: canon.ASCII, Created: s.now().UTC()}
	if err := s.store.CreateWrikeApprovedDomain(r.Context(), d); err != nil {
		return fmt.Errorf("approved domain %q: %w", canon.ASCII, err)
	}
	s.mu.Lock()
	s.domains = append(s.domains, d)
	s.mu.Unlock()
	writeData(w, http.StatusOK, "approvedDomains", []domainJSON{toDomainJSON(d)})
	return nil
}

// domainParam reads a domain parameter in canonical form.
func domainParam(v string) (mailaddr.Domain, error) {
	d, err := mailaddr.ParseDomain(v)
	if err != nil {
		return d, fmt.Errorf("%w: domain %w", errInvalidParameter, err)
	}
	return d, nil
}

// findDomain finds an approved domain by id or by name in any form that
// canonicalises to it (letter case, U-labels or A-labels).
func (s *Server) findDomain(idOrDomain string) (store.WrikeApprovedDomain, bool) {
	name := idOrDomain
	if c, err := mailaddr.ParseDomain(idOrDomain); err == nil {
		name = c.ASCII
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if d.ID == idOrDomain || d.Domain == name {
			return d, true
		}
	}
	return store.WrikeApprovedDomain{}, false
}

// domainApproved reports whether a canonical domain is approved.
func (s *Server) domainApproved(domain string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if d.Domain == domain {
			return true
		}
	}
	return false
}

func (s *Server) getDomain(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("idOrDomain")
	d, ok := s.findDomain(key)
	if !ok {
		return fmt.Errorf("%w: approved domain %q", store.ErrNotFound, key)
	}
	writeData(w, http.StatusOK, "approvedDomains", []domainJSON{toDomainJSON(d)})
	return nil
}

func (s *Server) deleteDomain(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("idOrDomain")
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	d, ok := s.findDomain(key)
	if !ok {
		return fmt.Errorf("%w: approved domain %q", store.ErrNotFound, key)
	}
	if err := s.store.DeleteWrikeApprovedDomain(r.Context(), d.ID); err != nil {
		return fmt.Errorf("approved domain %q: %w", key, err)
	}
	s.mu.Lock()
	s.domains = slices.DeleteFunc(s.domains, func(x store.WrikeApprovedDomain) bool { return x.ID == d.ID })
	s.mu.Unlock()
	writeData(w, http.StatusOK, "approvedDomains", []domainJSON{})
	return nil
}

// API apps.

type apiAppJSON struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	CreatedDate      string `json:"createdDate"`
	TokenCreatedDate string `json:"tokenCreatedDate"`
	Token            string `json:"token,omitempty"`
}

func toAPIAppJSON(a store.WrikeAPIApp, token string) apiAppJSON {
	return apiAppJSON{ID: a.ID, Name: a.Name, Description: a.Description,
		CreatedDate: formatDate(a.Created), TokenCreatedDate: formatDate(a.TokenCreated), Token: token}
}

func (s *Server) listAPIApps(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	out := make([]apiAppJSON, 0, len(s.apps))
	for _, a := range s.apps {
		out = append(out, toAPIAppJSON(a, ""))
	}
	s.mu.RUnlock()
	writeData(w, http.StatusOK, "apiApps", out)
	return nil
}

func (s *Server) findAPIApp(id string) (store.WrikeAPIApp, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.apps {
		if a.ID == id {
			return a, nil
		}
	}
	return store.WrikeAPIApp{}, fmt.Errorf("%w: API app %q", store.ErrNotFound, id)
}

// appText reads and checks name and description.
func appText(p adminParams, a *store.WrikeAPIApp, requireName bool) error {
	name, ok, err := p.str("name")
	if err != nil {
		return err
	}
	if ok {
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("%w: name cannot be empty", errInvalidParameter)
		}
		if len(name) > 200 {
			return fmt.Errorf("%w: name is longer than 200 characters", errInvalidParameter)
		}
		a.Name = name
	} else if requireName {
		return fmt.Errorf("%w: name is required", errParameterRequired)
	}
	desc, ok, err := p.str("description")
	if err != nil {
		return err
	}
	if ok {
		if len(desc) > 2000 {
			return fmt.Errorf("%w: description is longer than 2000 characters", errInvalidParameter)
		}
		a.Description = desc
	}
	return nil
}

func (s *Server) createAPIApp(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "name", "description")
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a := store.WrikeAPIApp{ID: s.newID(), Created: now, TokenCreated: now}
	if err := appText(p, &a, true); err != nil {
		return err
	}
	tok := newToken(apiTokenPrefix)
	h := hashToken(tok)
	a.TokenHash = h[:]
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if err := s.store.CreateWrikeAPIApp(r.Context(), a); err != nil {
		return fmt.Errorf("API app: %w", err)
	}
	s.mu.Lock()
	s.apps = append(s.apps, a)
	s.appsByToken[h] = a.ID
	s.mu.Unlock()
	writeData(w, http.StatusOK, "apiApps", []apiAppJSON{toAPIAppJSON(a, tok)})
	return nil
}

func (s *Server) getAPIApp(w http.ResponseWriter, r *http.Request) error {
	a, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []apiAppJSON{toAPIAppJSON(a, "")})
	return nil
}

// replaceAPIApp stores a changed app and swaps it in memory, moving its token
// hash when the token changed.
func (s *Server) replaceAPIApp(r *http.Request, old, a store.WrikeAPIApp) error {
	if err := s.store.UpdateWrikeAPIApp(r.Context(), a); err != nil {
		return fmt.Errorf("API app %q: %w", a.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.apps {
		if s.apps[i].ID == a.ID {
			s.apps[i] = a
		}
	}
	delete(s.appsByToken, toHash(old.TokenHash))
	s.appsByToken[toHash(a.TokenHash)] = a.ID
	return nil
}

func (s *Server) updateAPIApp(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "name", "description")
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	old, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	a := old
	if err := appText(p, &a, false); err != nil {
		return err
	}
	if err := s.replaceAPIApp(r, old, a); err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []apiAppJSON{toAPIAppJSON(a, "")})
	return nil
}

func (s *Server) regenerateAPIAppToken(w http.ResponseWriter, r *http.Request) error {
	if _, err := readParams(w, r); err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	old, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	a := old
	tok := newToken(apiTokenPrefix)
	h := hashToken(tok)
	a.TokenHash = h[:]
	a.TokenCreated = s.now().UTC()
	if err := s.replaceAPIApp(r, old, a); err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []apiAppJSON{toAPIAppJSON(a, tok)})
	return nil
}

func (s *Server) deleteAPIApp(w http.ResponseWriter, r *http.Request) error {
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	a, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteWrikeAPIApp(r.Context(), a.ID); err != nil {
		return fmt.Errorf("API app %q: %w", a.ID, err)
	}
	s.mu.Lock()
	s.apps = slices.DeleteFunc(s.apps, func(x store.WrikeAPIApp) bool { return x.ID == a.ID })
	delete(s.appsByToken, toHash(a.TokenHash))
	s.mu.Unlock()
	writeData(w, http.StatusOK, "apiApps", []apiAppJSON{})
	return nil
}

// SCIM integrations.

type integrationJSON struct {
	ID               string `json:"id"`
	IdentityProvider string `json:"identityProvider"`
	Enabled          bool   `json:"enabled"`
	DefaultUserType  string `json:"defaultUserType"`
	SCIMURL          string `json:"scimUrl"`
	UpdatedDate      string `json:"updatedDate"`
}

// integration returns a provider's integration; a provider never configured
// is a disabled integration with the default user type.
func (s *Server) integration(provider string) (store.WrikeSCIMIntegration, bool) {
	i := slices.Index(identityProviders, provider)
	if i < 0 {
		return store.WrikeSCIMIntegration{}, false
	}
	provider = identityProviders[i] // the constant, not a slice of the request
	s.mu.RLock()
	in, ok := s.integrations[provider]
	s.mu.RUnlock()
	if !ok {
		in = store.WrikeSCIMIntegration{Provider: provider, DefaultUserType: defaultUserType, Updated: s.account.Created}
	}
	return in, true
}

func (s *Server) integrationJSON(r *http.Request, in store.WrikeSCIMIntegration) integrationJSON {
	return integrationJSON{ID: in.Provider, IdentityProvider: in.Provider, Enabled: in.Enabled,
		DefaultUserType: in.DefaultUserType, SCIMURL: s.scimURL(r, in.Provider), UpdatedDate: formatDate(in.Updated)}
}

func unknownProvider(p string) error {
	return fmt.Errorf("%w: identity provider %q (known: %s)", store.ErrNotFound, p, strings.Join(identityProviders, ", "))
}

func (s *Server) listIntegrations(w http.ResponseWriter, r *http.Request) error {
	out := make([]integrationJSON, 0, len(identityProviders))
	for _, p := range identityProviders {
		in, _ := s.integration(p)
		out = append(out, s.integrationJSON(r, in))
	}
	writeData(w, http.StatusOK, "scimIntegrations", out)
	return nil
}

func (s *Server) getIntegration(w http.ResponseWriter, r *http.Request) error {
	in, ok := s.integration(r.PathValue("provider"))
	if !ok {
		return unknownProvider(r.PathValue("provider"))
	}
	writeData(w, http.StatusOK, "scimIntegrations", []integrationJSON{s.integrationJSON(r, in)})
	return nil
}

func (s *Server) updateIntegration(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	if _, ok := s.integration(provider); !ok {
		return unknownProvider(provider)
	}
	p, err := readParams(w, r, "enabled", "defaultUserType")
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	in, _ := s.integration(provider)
	if enabled, ok, err := p.boolean("enabled"); err != nil {
		return err
	} else if ok {
		in.Enabled = enabled
	}
	if ut, ok, err := p.str("defaultUserType"); err != nil {
		return err
	} else if ok {
		canon, valid := canonicalUserType(ut)
		if !valid {
			return fmt.Errorf("%w: defaultUserType %q must be one of %s", errInvalidParameter, ut, strings.Join(userTypes, ", "))
		}
		in.DefaultUserType = canon
	}
	in.Updated = s.now().UTC()
	if err := s.store.PutWrikeSCIMIntegration(r.Context(), in); err != nil {
		return fmt.Errorf("SCIM integration %q: %w", provider, err)
	}
	s.mu.Lock()
	s.integrations[provider] = in
	s.mu.Unlock()
	writeData(w, http.StatusOK, "scimIntegrations", []integrationJSON{s.integrationJSON(r, in)})
	return nil
}

// canonicalUserType matches a user type case-insensitively.
func canonicalUserType(t string) (string, bool) {
	for _, u := range userTypes {
		if strings.EqualFold(u, t) {
			return u, true
		}
	}
	return "", false
}

// Account and users.

type accountJSON struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	BillableSeats      int    `json:"billableSeats"`
	ActiveMembers      int    `json:"activeMembers"`
	DeactivatedMembers int    `json:"deactivatedMembers"`
}

func (s *Server) getAccount(w http.ResponseWriter, _ *http.Request) error {
	active, inactive := s.users.counts()
	writeData(w, http.StatusOK, "accounts", []accountJSON{{ID: s.account.ID, Name: s.account.Name,
		BillableSeats: active, ActiveMembers: active, DeactivatedMembers: inactive}})
	return nil
}

type adminUserJSON struct {
	ID               string `json:"id"`
	UserName         string `json:"userName"`
	ExternalID       string `json:"externalId"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	Title            string `json:"title"`
	Phone            string `json:"phone"`
	Organization     string `json:"organization"`
	Department       string `json:"department"`
	UserType         string `json:"userType"`
	Active           bool   `json:"active"`
	Billable         bool   `json:"billable"`
	IdentityProvider string `json:"identityProvider"`
	CreatedDate      string `json:"createdDate"`
	UpdatedDate      string `json:"updatedDate"`
}

// usersPageSize is the default and the largest pageSize of GET /users, as
// Wrike's v4 API caps its paged listings at 1000.
const usersPageSize = 1000

// userFilter is GET /users's filters; zero fields do not filter.
type userFilter struct {
	domain   string // canonical: A-labels, lower case
	active   *bool
	userType string // canonical
}

func (f userFilter) match(u *user) bool {
	return (f.active == nil || u.active == *f.active) &&
		(f.userType == "" || u.userType == f.userType) &&
		(f.domain == "" || emailDomain(u.userNameLower) == f.domain)
}

// cost is comparing u with the filters (cost.Compare per filter given).
func (f userFilter) cost(u *user) int64 {
	n := int64(1)
	if f.domain != "" {
		n += cost.Compare("eq", len(emailDomain(u.userNameLower)), len(f.domain))
	}
	if f.userType != "" {
		n += cost.Compare("eq", len(u.userType), len(f.userType))
	}
	return n
}

// key identifies the filters, so that a page token is only taken back with
// the filters it was issued for.
func (f userFilter) key() uint32 {
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%q %v %q", f.domain, f.active != nil && *f.active, f.userType)
	if f.active == nil {
		_, _ = h.Write([]byte{0})
	}
	return h.Sum32()
}

// usersPageToken is where a listing stands: the last user it returned (by
// creation sequence), the number of matching users counted on its first
// page, and the filters it was issued for. It travels as nextPageToken.
type usersPageToken struct {
	after  int64
	total  int
	filter uint32
}

func (t usersPageToken) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "u1.%d.%d.%x", t.after, t.total, t.filter))
}

func parseUsersPageToken(s string, f userFilter) (usersPageToken, error) {
	bad := fmt.Errorf("%w: nextPageToken %q is not a token this listing issued", errInvalidParameter, s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return usersPageToken{}, bad
	}
	var t usersPageToken
	if n, err := fmt.Sscanf(string(raw), "u1.%d.%d.%x", &t.after, &t.total, &t.filter); err != nil || n != 3 ||
		t.after < 0 || t.total < 0 || (usersPageToken{t.after, t.total, t.filter}).String() != s {
		return usersPageToken{}, bad
	}
	if t.filter != f.key() {
		return usersPageToken{}, fmt.Errorf("%w: nextPageToken was issued for other filters: repeat the first page's domain, active and userType", errInvalidParameter)
	}
	return t, nil
}

// usersPage is the v4 answer of a paged listing.
type usersPage struct {
	Kind          string          `json:"kind"`
	NextPageToken string          `json:"nextPageToken,omitempty"`
	ResponseSize  int             `json:"responseSize"`
	Data          []adminUserJSON `json:"data"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "domain", "active", "userType", "pageSize", "nextPageToken":
		default:
			return fmt.Errorf("%w: unknown parameter %q (allowed: domain, active, userType, pageSize, nextPageToken)", errInvalidParameter, k)
		}
	}
	f := userFilter{}
	if domain := q.Get("domain"); domain != "" {
		c, err := domainParam(domain)
		if err != nil {
			return err
		}
		f.domain = c.ASCII
	}
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%w: active must be true or false", errInvalidParameter)
		}
		f.active = &b
	}
	if userType := q.Get("userType"); userType != "" {
		canon, ok := canonicalUserType(userType)
		if !ok {
			return fmt.Errorf("%w: userType %q must be one of %s", errInvalidParameter, userType, strings.Join(userTypes, ", "))
		}
		f.userType = canon
	}
	pageSize := usersPageSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > usersPageSize {
			return fmt.Errorf("%w: pageSize must be a whole number from 1 to %d", errInvalidParameter, usersPageSize)
		}
		pageSize = n
	}
	tok := usersPageToken{filter: f.key(), total: -1}
	if v := q.Get("nextPageToken"); v != "" {
		var err error
		if tok, err = parseUsersPageToken(v, f); err != nil {
			return err
		}
	}

	// One more than a page tells whether another page follows. The first
	// page counts the listing in the same walk, so it goes on to the end.
	counting := tok.total < 0
	matched := 0
	page := make([]*user, 0, pageSize+1)
	// The filters compare short fields (the domain of a canonical address,
	// an enum), charged as any expression is: the budget only binds on
	// accounts far larger than the index holds, but the promise is the same.
	meter := cost.NewMeter(int64(s.scanBudget))
	s.users.scan(tok.after, func(u *user) bool {
		if !meter.Charge(f.cost(u)) {
			return false
		}
		if f.match(u) {
			matched++
			if len(page) <= pageSize {
				page = append(page, u)
			}
		}
		return counting || len(page) <= pageSize
	})
	if meter.Over() {
		return fmt.Errorf("%w: %s; list with fewer filters, or by pages without the domain filter", errInvalidParameter, meter.Detail("the listing's filters"))
	}
	if counting {
		tok.total = matched
	}
	answer := usersPage{Kind: "users", ResponseSize: tok.total, Data: make([]adminUserJSON, 0, min(len(page), pageSize))}
	more := len(page) > pageSize
	if more {
		page = page[:pageSize]
	}
	// Each user of the page is decoded: a page of users at every size limit
	// would cost more than one request may, so it ends early and the next
	// page token goes on after its last user.
	for i, u := range page {
		if !meter.Charge(int64(u.jsonSize(""))*cost.DecodeWeight) && i > 0 {
			page, more = page[:i], true
			break
		}
	}
	if more {
		tok.after = page[len(page)-1].seq
		answer.NextPageToken = tok.String()
	}
	for _, u := range page {
		a, err := u.adminFields()
		if err != nil {
			return err
		}
		a.CreatedDate, a.UpdatedDate = formatDate(u.created), formatDate(u.modified)
		answer.Data = append(answer.Data, a)
	}
	writeJSON(w, http.StatusOK, answer)
	return nil
}

// emailDomain is the part of a canonical address after the '@'; "" without one.
func emailDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}
