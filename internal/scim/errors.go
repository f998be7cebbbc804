package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
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

// ContentType is the media type of every SCIM response (RFC 7644 §3.1).
const ContentType = "application/scim+json"

// MaxBodyBytes is the request body limit the Wrike face applies; ReadBody takes the
// limit as an argument so other callers can choose their own.
const MaxBodyBytes = 1 << 20

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

// PreconditionFailed is the 412 for an If-Match that does not match (RFC 7644 §3.14).
func PreconditionFailed(current string) *Error {
	return Errorf(http.StatusPreconditionFailed, "", "resource version is %s; the If-Match precondition does not match", current)
}

// AsError returns err as an *Error if it is one (or wraps one).
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// WriteJSON writes v as a SCIM JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// WriteError writes err as a SCIM error response. An error that is not an *Error
// becomes a 500 with a generic detail: internal messages (SQL, file paths) never
// reach the client. Callers log the original error themselves.
func WriteError(w http.ResponseWriter, err error) error {
	e, ok := AsError(err)
	if !ok || e.Status < 400 || e.Status > 599 {
		e = &Error{Status: http.StatusInternalServerError, Detail: "internal server error"}
	}
	return WriteJSON(w, e.Status, e)
}

// ReadBody reads a request body of at most limit bytes. A larger body is a 413
// SCIM error; the reader is not drained past limit+1 bytes.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(limit)
		}
		return nil, badRequest(ErrInvalidSyntax, "request body could not be read")
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(limit)
	}
	return b, nil
}

func tooLarge(limit int64) *Error {
	return Errorf(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", limit)
}

// DecodeJSON decodes one JSON value from body into v (numbers as json.Number when
// v is or holds an `any`). Malformed JSON, a wrong JSON type for a field and
// trailing data are 400 invalidSyntax errors whose detail says where and what.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return badRequest(ErrInvalidSyntax, "request body is empty; a JSON object is required")
	}
	if i := InvalidUTF8(body); i >= 0 {
		// encoding/json would turn the bytes into U+FFFD and store a name
		// nobody sent (RFC 8259 §8.1: JSON text is UTF-8).
		line, col := position(body, int64(i))
		return badRequest(ErrInvalidSyntax, "request body is not valid UTF-8 (byte 0x%02x at line %d, column %d)", body[i], line, col)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(body, err)
	}
	if dec.More() {
		return badRequest(ErrInvalidSyntax, "request body has data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

// DecodeObject decodes a body that must be one JSON object, as resources are.
func DecodeObject(body []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] != '{' {
		return nil, badRequest(ErrInvalidSyntax, "request body must be a JSON object")
	}
	var m map[string]any
	if err := DecodeJSON(body, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, badRequest(ErrInvalidSyntax, "request body must be a JSON object, not null")
	}
	return m, nil
}

// InvalidUTF8 returns the offset of the first byte of b that is not part of
// valid UTF-8, or -1 when b is valid.
func InvalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

func jsonError(body []byte, err error) *Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte; report that byte's position.
		line, col := position(body, se.Offset-1)
		return badRequest(ErrInvalidSyntax, "malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return badRequest(ErrInvalidSyntax, "request body is a JSON %s; a %s is required", te.Value, jsonKind(te.Type.Kind().String()))
		}
		return badRequest(ErrInvalidSyntax, "attribute %q must be a %s, not a JSON %s", field, jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest(ErrInvalidSyntax, "malformed JSON: the body ends before the JSON value is complete")
	default:
		if e, ok := AsError(err); ok {
			return e
		}
		return badRequest(ErrInvalidSyntax, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	case "slice", "array":
		return "JSON array"
	case "map", "struct", "ptr":
		return "JSON object"
	}
	return goKind
}

func position(body []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(body))))
	line, col = 1, 1
	for _, c := range body[:offset] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// ErrorFromResponse reads the body of a failed response (at most 64 KiB) and
// returns it as an *Error, as ParseErrorResponse does. It does not close the body.
func ErrorFromResponse(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return ParseErrorResponse(resp.StatusCode, body)
}

// ParseErrorResponse reads a SCIM error from an HTTP response of a SCIM server
// (the Okta face's provisioning client uses it). It always returns an *Error:
// when the body is not a SCIM error, the detail is the start of the body or the
// status text, and Status is the HTTP status when the body does not say.
func ParseErrorResponse(status int, body []byte) *Error {
	var e Error
	if err := json.Unmarshal(body, &e); err == nil && (e.Detail != "" || e.ScimType != "" || e.Status != 0) {
		if e.Status == 0 {
			e.Status = status
		}
		if e.Detail == "" {
			e.Detail = http.StatusText(e.Status)
		}
		return &e
	}
	detail := strings.TrimSpace(string(body))
	if len(detail) > 200 {
		detail = strings.ToValidUTF8(detail[:200], "") + "…"
	}
	if detail == "" {
		detail = http.StatusText(status)
	}
	return &Error{Status: status, Detail: detail}
}
