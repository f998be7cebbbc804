package wrike

import (
	"encoding/json"
	"errors"
	"fmt"
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
			if !utf8.ValidString(k) || !utf8.ValidString(v[len(v)-1]) {
				return nil, fmt.Errorf("%w: form field %q is not valid UTF-8", errInvalidRequest, strings.ToValidUTF8(k, "?"))
			}
			p[k] = v[len(v)-1]
		}
	default:
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, fmt.Errorf("%w: the body must be a JSON object: %w", errInvalidRequest, err)
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
	ID          string `json:"id"`
	Domain      string `json:"domain"`
	CreatedDate string `json:"createdDate"`
}

func toDomainJSON(d store.WrikeApprovedDomain) domainJSON {
	return domainJSON{ID: d.ID, Domain: d.Domain, CreatedDate: formatDate(d.Created)}
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

// validDomain reports why a domain name is not a valid DNS name, or "".
func validDomain(d string) string {
	if len(d) > 253 {
		return "it is longer than 253 characters"
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "it needs at least two labels (such as example.com)"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "each label must be 1 to 63 characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "a label cannot start or end with '-'"
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Sprintf("%q is not allowed (letters, digits and '-' only)", c)
			}
		}
	}
	return ""
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
	domain = strings.ToLower(strings.TrimSpace(domain))
	if why := validDomain(domain); why != "" {
		return fmt.Errorf("%w: domain %q is not a valid DNS name: %s", errInvalidParameter, domain, why)
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if _, found := s.findDomain(domain); found {
		return fmt.Errorf("%w: domain %q is already approved", store.ErrConflict, domain)
	}
	d := store.WrikeApprovedDomain{ID: s.newID(), Domain: domain, Created: s.now().UTC()}
	if err := s.store.CreateWrikeApprovedDomain(r.Context(), d); err != nil {
		return fmt.Errorf("approved domain %q: %w", domain, err)
	}
	s.mu.Lock()
	s.domains = append(s.domains, d)
	s.mu.Unlock()
	writeData(w, http.StatusOK, "approvedDomains", []domainJSON{toDomainJSON(d)})
	return nil
}

// findDomain finds an approved domain by id or by name (case-insensitively).
func (s *Server) findDomain(idOrDomain string) (store.WrikeApprovedDomain, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if d.ID == idOrDomain || strings.EqualFold(d.Domain, idOrDomain) {
			return d, true
		}
	}
	return store.WrikeApprovedDomain{}, false
}

// domainApproved reports whether domain (any case) is approved.
func (s *Server) domainApproved(domain string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if strings.EqualFold(d.Domain, domain) {
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

// maxUsersPageSize bounds a page of GET /users; without pageSize the whole
// list is one answer, as before paging existed.
const maxUsersPageSize = 1000

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "domain" && k != "active" && k != "userType" && k != "pageSize" && k != "nextPageToken" {
			return fmt.Errorf("%w: unknown parameter %q (allowed: domain, active, userType, pageSize, nextPageToken)", errInvalidParameter, k)
		}
	}
	domain := strings.ToLower(q.Get("domain"))
	var activeFilter *bool
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%w: active must be true or false", errInvalidParameter)
		}
		activeFilter = &b
	}
	userType := q.Get("userType")
	if userType != "" {
		canon, ok := canonicalUserType(userType)
		if !ok {
			return fmt.Errorf("%w: userType %q must be one of %s", errInvalidParameter, userType, strings.Join(userTypes, ", "))
		}
		userType = canon
	}
	start, size, err := usersPage(q.Get("pageSize"), q.Get("nextPageToken"))
	if err != nil {
		return err
	}
	var out []adminUserJSON
	matched := 0
	for _, u := range s.users.all() {
		if activeFilter != nil && u.active != *activeFilter {
			continue
		}
		if userType != "" && u.userType != userType {
			continue
		}
		if domain != "" && emailDomain(u.userNameLower) != domain {
			continue
		}
		matched++
		if matched <= start || (size > 0 && len(out) == size) {
			// Only the page's users are encoded; the rest are counted.
			continue
		}
		f, err := u.adminFields()
		if err != nil {
			return err
		}
		f.CreatedDate, f.UpdatedDate = formatDate(u.created), formatDate(u.modified)
		out = append(out, f)
	}
	if size == 0 {
		writeData(w, http.StatusOK, "users", out)
		return nil
	}
	page := usersPageJSON{Kind: "users", ResponseSize: matched, Data: out}
	if page.Data == nil {
		page.Data = []adminUserJSON{}
	}
	if next := start + len(out); next < matched {
		page.NextPageToken = strconv.Itoa(next)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// usersPageJSON is a paged GET /users answer: responseSize counts every
// user the filters match, nextPageToken is present while more follow.
type usersPageJSON struct {
	Kind          string          `json:"kind"`
	NextPageToken string          `json:"nextPageToken,omitempty"`
	ResponseSize  int             `json:"responseSize"`
	Data          []adminUserJSON `json:"data"`
}

// usersPage reads pageSize and nextPageToken: the number of matching users
// to skip and the page size (0: no paging).
func usersPage(pageSize, token string) (start, size int, err error) {
	if pageSize == "" {
		if token != "" {
			return 0, 0, fmt.Errorf("%w: nextPageToken needs pageSize", errInvalidParameter)
		}
		return 0, 0, nil
	}
	size, err = strconv.Atoi(pageSize)
	if err != nil || size < 1 || size > maxUsersPageSize {
		return 0, 0, fmt.Errorf("%w: pageSize must be between 1 and %d", errInvalidParameter, maxUsersPageSize)
	}
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 {
			return 0, 0, fmt.Errorf("%w: nextPageToken %q is not one this API returned", errInvalidParameter, token)
		}
	}
	return start, size, nil
}

// emailDomain is the part after the last '@', lower-cased; "" without one.
func emailDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}
