package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// scimType values of RFC 7644 §3.12, Table 9.
const (
	ErrInvalidFilter = "invalidFilter"
	ErrTooMany       = "tooMany"
	ErrUniqueness    = "uniqueness"
	ErrMutability    = "mutability"
	ErrInvalidSyntax = "invalidSyntax"
	ErrInvalidPath   = "invalidPath"
	ErrNoTarget      = "noTarget"
	ErrInvalidValue  = "invalidValue"
	ErrInvalidVers   = "invalidVers"
	ErrSensitive     = "sensitive"
)

// Error is a SCIM error (RFC 7644 §3.12). It marshals to the error message body,
// with status as a string as the RFC's examples show.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim: %d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
}

type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// MarshalJSON writes the RFC 7644 §3.12 error body. Detail is never empty: a
// client that shows only the detail must still learn what went wrong.
func (e *Error) MarshalJSON() ([]byte, error) {
	detail := e.Detail
	if detail == "" {
		detail = http.StatusText(e.Status)
		if detail == "" {
			detail = "request failed"
		}
	}
	return json.Marshal(errorBody{
		Schemas:  []string{SchemaError},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.ScimType,
		Detail:   detail,
	})
}

// UnmarshalJSON reads an error body, accepting status as a number or a string
// because servers in the field send both.
func (e *Error) UnmarshalJSON(b []byte) error {
	var raw struct {
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.ScimType, e.Detail = raw.ScimType, raw.Detail
	s := strings.Trim(string(bytes.TrimSpace(raw.Status)), `"`)
	if s == "" || s == "null" {
		e.Status = 0
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("scim: error status %q is not a number", s)
	}
	e.Status = n
	return nil
}

// Errorf builds an *Error with a formatted detail.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func badRequest(scimType, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, scimType, format, args...)
}

// NotFound is the 404 for a resource id that does not exist.
func NotFound(resourceType, id string) *Error {
	return Errorf(http.StatusNotFound, "", "%s %q not found", resourceType, id)
}

// AsError returns err as an *Error if it is one (or wraps one).
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
