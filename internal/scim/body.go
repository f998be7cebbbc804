package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/jsonkeys"
)

// ContentType is the media type of every SCIM response (RFC 7644 §3.1).
const ContentType = "application/scim+json"

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

// decodeRequest is DecodeJSON for a request body: a key repeated in one
// object, exactly or in another letter case, is a 400 invalidSyntax too
// (encoding/json would keep one of them silently). Stored documents, which
// this server wrote, go through DecodeJSON alone.
func decodeRequest(body []byte, v any) error {
	if err := DecodeJSON(body, v); err != nil {
		return err
	}
	if d := jsonkeys.Find(body); d != nil {
		return badRequest(ErrInvalidSyntax, "request body is ambiguous: %s", d.Error())
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
	if err := decodeRequest(body, &m); err != nil {
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
