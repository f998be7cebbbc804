package okta

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// errorBody is Okta's error body.
type errorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// apiError is every error the Okta face answers: its status, Okta's
// errorCode, the summary and one cause per problem. Handlers return it (or
// any other error, which becomes a 500); fail writes it.
type apiError struct {
	status  int
	code    string
	summary string
	causes  []string
}

func (e *apiError) Error() string { return e.summary }

func apiErr(status int, code, summary string, causes ...string) error {
	return &apiError{status: status, code: code, summary: summary, causes: causes}
}

// invalid is a 400 E0000001 with one cause per problem.
func invalid(field string, causes ...string) error {
	return apiErr(http.StatusBadRequest, "E0000001", "Api validation failed: "+field, causes...)
}

// resourceNotFound is a 404 E0000007 naming the missing resource the way
// Okta does, by its id and kind.
func resourceNotFound(id, kind string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "E0000007", summary: "Not found: Resource not found: " + id + " (" + kind + ")"}
}

// forbidden is a 403 with Okta's code for the refused operation.
func forbidden(code, summary string) error {
	return apiErr(http.StatusForbidden, code, summary)
}

// notFound names a store.ErrNotFound the way Okta does, by the kind and id
// of the missing resource; other errors pass unchanged.
func notFound(err error, kind, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return resourceNotFound(id, kind)
	}
	return err
}

// The answers the face gives before or around its handlers.
var (
	errInvalidToken = apiErr(http.StatusUnauthorized, "E0000011", "Invalid token provided")
	// errRateLimited goes out with the X-Rate-Limit-* headers the limiter set.
	errRateLimited      = apiErr(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
	errMethodNotAllowed = apiErr(http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
	errInternal         = &apiError{status: http.StatusInternalServerError, code: "E0000009", summary: "Internal Server Error"}
)

// handler is an Okta API handler: it writes success itself and returns an
// error for fail to answer.
type handler func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handler to net/http.
func (s *Server) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail writes err as Okta's answer: an apiError as itself, a
// store.ErrNotFound nobody named as a 404 E0000007, anything else as a 500
// E0000009 that says nothing internal (the error goes to the log). It is
// the one place where the Okta face writes an error answer: handlers,
// authentication, the rate limit, the mux's 404 and 405 and a recovered
// panic all answer through it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	switch {
	case errors.As(err, &e):
	case errors.Is(err, store.ErrNotFound):
		e = resourceNotFound("", "GenericResource")
	case r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		// The client left (a search it stopped waiting for): nothing failed
		// here, and nobody reads the answer.
		e = errInternal
	default:
		s.log.ErrorContext(r.Context(), "okta request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		e = errInternal
	}
	body := errorBody{ErrorCode: e.code, ErrorSummary: e.summary, ErrorLink: e.code, ErrorID: "oae" + randomID(), ErrorCauses: []errorCause{}}
	for _, c := range e.causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, e.status, body)
}

// noRoute answers a path no route has with E0000007, and a method no route
// of the path has with E0000022, as Okta does.
func noRoute(_ http.ResponseWriter, r *http.Request) error {
	return resourceNotFound(r.URL.Path, "GenericResource")
}

func noMethod(http.ResponseWriter, *http.Request) error { return errMethodNotAllowed }
