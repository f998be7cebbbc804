package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// apiError is Okta's error body.
type apiError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func writeError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	body := apiError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: "oae" + randomID(), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, status, body)
}

// validationError is a 400 E0000001 with one cause per problem.
type validationError struct {
	field  string
	causes []string
}

func (e *validationError) Error() string { return "Api validation failed: " + e.field }

func invalid(field string, causes ...string) error {
	return &validationError{field: field, causes: causes}
}

// notFoundError reports an unknown resource the way Okta names it.
type notFoundError struct{ id, kind string }

func (e *notFoundError) Error() string {
	return "Not found: Resource not found: " + e.id + " (" + e.kind + ")"
}

// forbiddenError is a 403 with Okta's code for the refused operation.
type forbiddenError struct{ code, summary string }

func (e *forbiddenError) Error() string { return e.summary }

// fail maps an error to Okta's answer: validation, not found and forbidden
// errors as themselves, store sentinels by kind, anything else as a 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, kind, id string) {
	var ve *validationError
	var nf *notFoundError
	var fe *forbiddenError
	switch {
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, "E0000001", ve.Error(), ve.causes...)
	case errors.As(err, &nf):
		writeError(w, http.StatusNotFound, "E0000007", nf.Error())
	case errors.As(err, &fe):
		writeError(w, http.StatusForbidden, fe.code, fe.summary)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "E0000007", (&notFoundError{id: id, kind: kind}).Error())
	default:
		s.internalError(w, r, err)
	}
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "okta request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	writeError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decode reads a JSON object body. A malformed body is Okta's E0000003.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil && len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err == nil {
		if i := scim.InvalidUTF8(body); i >= 0 {
			// encoding/json would store U+FFFD in place of the bytes sent.
			err = fmt.Errorf("the body is not valid UTF-8 (byte 0x%02x at offset %d)", body[i], i)
		} else {
			err = json.Unmarshal(body, v)
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
		return false
	}
	return true
}

// ---- paging

const (
	defaultLimit = 200
	maxLimit     = 200
)

// pageParams reads limit and after. A bad limit is E0000001.
func pageParams(r *http.Request, def, most int) (after string, limit int, err error) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 {
			return "", 0, invalid("limit", "limit: must be a positive integer, got "+strconv.Quote(v))
		}
		limit = min(n, most)
	}
	return q.Get("after"), limit, nil
}

// setNextLink adds Okta's Link headers: self always, next when another page
// may follow, carrying the cursor in after.
// writePage answers a list call the way Okta pages: items holds at most
// limit+1 entries, the extra one only telling that a next page exists, and
// the key of the last entry kept is the next page's cursor.
func writePage[T, J any](w http.ResponseWriter, r *http.Request, items []T, limit int, key func(T) string, render func(T) J) {
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = key(items[limit-1])
	}
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, render(it))
	}
	setNextLink(w, r, next)
	writeJSON(w, http.StatusOK, out)
}

func setNextLink(w http.ResponseWriter, r *http.Request, next string) {
	self := baseURL(r) + r.URL.RequestURI()
	w.Header().Add("Link", "<"+self+">; rel=\"self\"")
	if next == "" {
		return
	}
	q := r.URL.Query()
	q.Set("after", next)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Add("Link", "<"+baseURL(r)+u.String()+">; rel=\"next\"")
}

// ---- rate limit

// rateLimiter is a fixed-window request budget shared by the whole org, as
// Okta's org-wide limits are, reported in X-Rate-Limit-* headers.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	start  time.Time
	used   int
}

func newRateLimiter(limit int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, now: now}
}

// take spends one request and sets the headers; false means the budget of
// the current window is spent.
func (l *rateLimiter) take(h http.Header) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start = now.Truncate(l.window)
		l.used = 0
	}
	ok := l.used < l.limit
	if ok {
		l.used++
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(l.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(l.limit-l.used))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(l.start.Add(l.window).Unix(), 10))
	return ok
}
