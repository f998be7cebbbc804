package wrike

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// Paging limits, also published in ServiceProviderConfig.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func (s *Server) scimRoutes(m *http.ServeMux) {
	const p = "/scim/{provider}/v2"
	m.HandleFunc("GET "+p+"/Users", s.scim(s.listUsersSCIM))
	m.HandleFunc("POST "+p+"/Users", s.scim(s.createUser))
	m.HandleFunc(p+"/Users", s.scim(scimMethodNotAllowed))
	m.HandleFunc("POST "+p+"/Users/.search", s.scim(s.searchUsers))
	m.HandleFunc("GET "+p+"/Users/{id}", s.scim(s.getUser))
	m.HandleFunc("PUT "+p+"/Users/{id}", s.scim(s.replaceUser))
	m.HandleFunc("PATCH "+p+"/Users/{id}", s.scim(s.patchUser))
	m.HandleFunc("DELETE "+p+"/Users/{id}", s.scim(s.deleteUser))
	m.HandleFunc(p+"/Users/{id}", s.scim(scimMethodNotAllowed))

	m.HandleFunc("GET "+p+"/Groups", s.scim(s.listGroups))
	m.HandleFunc("POST "+p+"/Groups/.search", s.scim(s.searchGroups))
	m.HandleFunc("POST "+p+"/Groups", s.scim(groupsNotSynced))
	m.HandleFunc(p+"/Groups", s.scim(scimMethodNotAllowed))
	m.HandleFunc(p+"/Groups/{id}", s.scim(groupNotFound))

	m.HandleFunc("GET "+p+"/ServiceProviderConfig", s.scim(s.serviceProviderConfig))
	m.HandleFunc(p+"/ServiceProviderConfig", s.scim(scimMethodNotAllowed))
	m.HandleFunc("GET "+p+"/ResourceTypes", s.scim(s.resourceTypes))
	m.HandleFunc("GET "+p+"/ResourceTypes/{id}", s.scim(s.resourceType))
	m.HandleFunc(p+"/ResourceTypes", s.scim(scimMethodNotAllowed))
	m.HandleFunc("GET "+p+"/Schemas", s.scim(s.schemas))
	m.HandleFunc("GET "+p+"/Schemas/{id}", s.scim(s.schema))
	m.HandleFunc(p+"/Schemas", s.scim(scimMethodNotAllowed))
	// Searching from the root covers Users only: Groups are always empty.
	m.HandleFunc("POST "+p+"/.search", s.scim(s.searchUsers))
	m.HandleFunc(p+"/.search", s.scim(scimMethodNotAllowed))
	m.HandleFunc(p+"/Me", s.scim(notImplemented("/Me (requests are made with an API app's token, not a user's)")))
	m.HandleFunc(p+"/Me/", s.scim(notImplemented("/Me (requests are made with an API app's token, not a user's)")))
	m.HandleFunc(p+"/Bulk", s.scim(notImplemented("bulk operations")))
	m.HandleFunc("/scim/", s.scim(scimNotFound))
}

// scimCall is what every SCIM handler knows about its request.
type scimCall struct {
	provider    string
	integration store.WrikeSCIMIntegration
	base        string // the SCIM base URL, for meta.location
}

type scimHandler func(w http.ResponseWriter, r *http.Request, c scimCall) error

// scimError maps an error to the SCIM Error answered. It is the one place
// where the SCIM service turns errors into HTTP.
func scimError(err error) *scim.Error {
	if e, ok := scim.AsError(err); ok {
		return e
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &scim.Error{Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &scim.Error{Status: http.StatusConflict, ScimType: scim.ErrUniqueness, Detail: err.Error()}
	case errors.Is(err, store.ErrPrecondition):
		return &scim.Error{Status: http.StatusPreconditionFailed, Detail: err.Error()}
	case errors.Is(err, cost.ErrBusy):
		return &scim.Error{Status: http.StatusServiceUnavailable,
			Detail: "other costly requests (queries that no index answers, long PATCH requests, large projected pages) are running; retry in a few seconds, or add userName eq, externalId eq, id eq or emails eq to the filter, which is answered at once"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The client went away during a scan; nobody reads the answer.
		return &scim.Error{Status: http.StatusServiceUnavailable, Detail: "the request was canceled"}
	}
	return &scim.Error{Status: http.StatusInternalServerError, Detail: "internal server error"}
}

// scim authenticates the v4 token, checks the integration and answers errors
// as SCIM Error bodies.
func (s *Server) scim(h scimHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authSCIM(r)
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			s.scimFail(w, r, err)
		}
	}
}

// scimFail writes err as a SCIM Error document, by scimError. It is the one
// place where the SCIM service writes an error answer: handlers,
// authentication, the 404, 405 and 501 fallbacks and a recovered panic all
// answer through it.
func (s *Server) scimFail(w http.ResponseWriter, r *http.Request, err error) {
	e := scimError(err)
	if e.Status == http.StatusInternalServerError && !errors.Is(err, errPanicked) {
		s.logger(r).Error("SCIM failure", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	switch e.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="Wrike SCIM"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	_ = scim.WriteError(w, e)
}

func (s *Server) authSCIM(r *http.Request) (scimCall, error) {
	provider := r.PathValue("provider")
	in, known := s.integration(provider)
	if provider != "" && !known {
		return scimCall{}, scim.Errorf(http.StatusNotFound, "", "no SCIM service for identity provider %q (known: %s)",
			provider, strings.Join(identityProviders, ", "))
	}
	tok := bearer(r)
	if tok == "" {
		return scimCall{}, scim.Errorf(http.StatusUnauthorized, "", "authentication required: send an API app's v4 token as Authorization: Bearer <token>")
	}
	h := hashToken(tok)
	s.mu.RLock()
	_, ok := lookupHash(s.appsByToken, h)
	s.mu.RUnlock()
	if !ok {
		return scimCall{}, scim.Errorf(http.StatusUnauthorized, "", "the bearer token is not a valid v4 API token (it may have been regenerated or its API app deleted)")
	}
	if !known {
		return scimCall{}, nil // a path outside any provider: the handler answers 404
	}
	if !in.Enabled {
		return scimCall{}, scim.Errorf(http.StatusForbidden, "", "the %s SCIM integration is disabled; enable it in the admin API", provider)
	}
	return scimCall{provider: provider, integration: in, base: s.scimURL(r, provider)}, nil
}

func scimMethodNotAllowed(_ http.ResponseWriter, r *http.Request, _ scimCall) error {
	return scim.Errorf(http.StatusMethodNotAllowed, "", "%s is not supported on %s", r.Method, r.URL.Path)
}

func scimNotFound(_ http.ResponseWriter, r *http.Request, _ scimCall) error {
	return scim.Errorf(http.StatusNotFound, "", "no SCIM endpoint at %s", r.URL.Path)
}

// notImplemented answers RFC 7644's 501 for an optional feature this server
// does not offer (ServiceProviderConfig says so too).
func notImplemented(what string) scimHandler {
	return func(_ http.ResponseWriter, _ *http.Request, _ scimCall) error {
		return scim.Errorf(http.StatusNotImplemented, "", "%s not supported by this service provider", what)
	}
}

func groupsNotSynced(_ http.ResponseWriter, _ *http.Request, _ scimCall) error {
	return scim.Errorf(http.StatusNotImplemented, "", "Wrike does not sync groups over SCIM; assign users instead")
}

func groupNotFound(_ http.ResponseWriter, r *http.Request, _ scimCall) error {
	return scim.NotFound("Group", r.PathValue("id"))
}

// writeSCIM writes a SCIM JSON body that is already encoded.
func writeSCIM(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", scim.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readSCIMBody reads a request body. RFC 7644 §3.8 asks for
// application/scim+json and application/json; the body decides beyond that:
// a client that sends no Content-Type or a generic one (curl -d labels JSON
// application/x-www-form-urlencoded) is read as JSON, and a body that is not
// JSON is then a 400 invalidSyntax. Refused with 415: a charset other than
// UTF-8, and media types that name another format (application/xml).
func readSCIMBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if err := checkContentType(ct); err != nil {
			return nil, err
		}
	}
	return scim.ReadBody(http.MaxBytesReader(w, r.Body, maxBody+1), maxBody)
}

func checkContentType(ct string) error {
	// An unreadable Content-Type counts as none: the body decides.
	mt, params, _ := mime.ParseMediaType(ct)
	if mt == "" {
		return nil
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return scim.Errorf(http.StatusUnsupportedMediaType, "",
			"charset %q is not supported; SCIM bodies are JSON in UTF-8", cs)
	}
	switch {
	case mt == scim.ContentType, mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/x-www-form-urlencoded", mt == "text/plain", mt == "application/octet-stream", mt == "*/*":
		return nil
	}
	return scim.Errorf(http.StatusUnsupportedMediaType, "",
		"Content-Type %q is not supported; send application/scim+json or application/json", ct)
}

// decodeDoc parses a stored resource (with meta.location) into canonical form.
func decodeDoc(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := scim.DecodeJSON(b, &m); err != nil {
		return nil, fmt.Errorf("stored resource: %w", err)
	}
	return m, nil
}

// ifMatch checks an If-Match header against the current entity tag.
func ifMatch(r *http.Request, current string) error {
	h := r.Header.Get("If-Match")
	if h == "" {
		return nil
	}
	if etagListed(h, current) {
		return nil
	}
	return scim.Errorf(http.StatusPreconditionFailed, "",
		"the resource's version is %s; the If-Match precondition %s does not match", current, h)
}

// userNotFound is the SCIM 404 for a user id.
func userNotFound(id string) error { return scim.NotFound("User", id) }

// queryOptions are the paging limits of every list.
var queryOptions = scim.QueryOptions{MaxCount: maxPageSize, DefaultCount: defaultPageSize}

// queryParams reads a GET query's filter, paging, sorting and
// attributes/excludedAttributes, checked against the resource type.
func queryParams(rt *scim.ResourceType, r *http.Request) (*scim.Query, error) {
	return scim.ParseQuery(rt, r.URL.Query(), queryOptions)
}

// searchParams reads the body of POST .search (RFC 7644 §3.4.3).
func searchParams(rt *scim.ResourceType, w http.ResponseWriter, r *http.Request) (*scim.Query, error) {
	body, err := readSCIMBody(w, r)
	if err != nil {
		return nil, err
	}
	return scim.ParseSearchRequest(rt, body, queryOptions)
}

// listResponseHead starts a ListResponse body; the caller appends the
// resources and closes it with "]}".
func listResponseHead(total, items, start, sizeHint int) []byte {
	b := make([]byte, 0, 160+sizeHint)
	b = append(b, `{"schemas":["`+scim.SchemaListResponse+`"],"totalResults":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(items), 10)
	b = append(b, `,"startIndex":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	return append(b, `,"Resources":[`...)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ scimCall) error {
	q, err := queryParams(scim.GroupResourceType, r)
	if err != nil {
		return err
	}
	return emptyGroupList(w, q)
}

func (s *Server) searchGroups(w http.ResponseWriter, r *http.Request, _ scimCall) error {
	q, err := searchParams(scim.GroupResourceType, w, r)
	if err != nil {
		return err
	}
	return emptyGroupList(w, q)
}

// emptyGroupList answers a Group query: Wrike has no group sync, so there
// are none. Filter, sortBy and attribute names were checked against the
// Group schema, so a bad one is still an error.
func emptyGroupList(w http.ResponseWriter, q *scim.Query) error {
	writeSCIM(w, http.StatusOK, append(listResponseHead(0, 0, q.StartIndex, 0), "]}"...))
	return nil
}
