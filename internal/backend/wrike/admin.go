package wrike

import (
	"context"
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
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/jsonkeys"
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
	case errors.Is(err, cost.ErrBusy):
		return http.StatusTooManyRequests, "rate_limit_exceeded",
			"other costly requests are running; retry in a few seconds, or ask for a smaller page (pageSize)"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The client went away; nobody reads the answer.
		return http.StatusServiceUnavailable, "server_error", "the request was canceled"
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
		if err != nil {
			s.adminFail(w, r, err)
		}
	}
}

// adminFail writes err as the admin API's error body, by adminError. It is
// the one place where the admin API writes an error answer: handlers,
// authentication, the 404 and 405 fallbacks and a recovered panic all
// answer through it.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	status, code, desc := adminError(err)
	if status == http.StatusInternalServerError && !errors.Is(err, errPanicked) {
		s.logger(r).Error("admin API failure", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	writeJSON(w, status, map[string]string{"error": code, "errorDescription": desc})
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
