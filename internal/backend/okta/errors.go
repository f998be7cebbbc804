package okta

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
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

// notFound names a store.ErrNotFound the way Okta does, by the kind and id
// of the missing resource; other errors pass unchanged.
func notFound(err error, kind, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &notFoundError{id: id, kind: kind}
	}
	return err
}

// statusError is any other answer in Okta's error body.
type statusError struct {
	status        int
	code, summary string
	causes        []string
}

func (e *statusError) Error() string { return e.summary }

func apiErr(status int, code, summary string, causes ...string) error {
	return &statusError{status: status, code: code, summary: summary, causes: causes}
}

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

// fail maps an error to Okta's answer: validation, not found, forbidden and
// status errors as themselves, anything else as a 500. It is the one place
// where the Okta face turns errors into HTTP.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *validationError
	var nf *notFoundError
	var fe *forbiddenError
	var se *statusError
	switch {
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, "E0000001", ve.Error(), ve.causes...)
	case errors.As(err, &nf):
		writeError(w, http.StatusNotFound, "E0000007", nf.Error())
	case errors.As(err, &fe):
		writeError(w, http.StatusForbidden, fe.code, fe.summary)
	case errors.As(err, &se):
		writeError(w, se.status, se.code, se.summary, se.causes...)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "E0000007", (&notFoundError{kind: "GenericResource"}).Error())
	default:
		s.internalError(w, r, err)
	}
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "okta request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	writeError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
}
