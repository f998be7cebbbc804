package scim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestErrorBody(t *testing.T) {
	e := Errorf(http.StatusBadRequest, ErrInvalidFilter, "bad %s", "filter")
	sameJSON(t, e, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"bad filter"}`)
	// No scimType: the member is left out. No detail: the status text stands in.
	sameJSON(t, &Error{Status: 404}, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"Not Found"}`)
	if got := e.Error(); got != "scim: 400 invalidFilter: bad filter" {
		t.Errorf("Error() = %q", got)
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	_ = WriteError(rec, fmt.Errorf("wrapped: %w", Errorf(409, ErrUniqueness, "userName %q is taken", "a@b.c")))
	if rec.Code != 409 || rec.Header().Get("Content-Type") != "application/scim+json" {
		t.Errorf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	sameJSON(t, decode(t, rec.Body.String()), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName \"a@b.c\" is taken"}`)

	// An internal error never reaches the client.
	rec = httptest.NewRecorder()
	_ = WriteError(rec, errors.New("database is locked: /var/lib/wrike/data.db"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "database") {
		t.Errorf("internal error leaked: %d %s", rec.Code, rec.Body)
	}
	sameJSON(t, decode(t, rec.Body.String()), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"internal server error"}`)
}

func TestReadBody(t *testing.T) {
	b, err := ReadBody(strings.NewReader("12345"), 5)
	if err != nil || string(b) != "12345" {
		t.Errorf("at the limit: %q %v", b, err)
	}
	_, err = ReadBody(strings.NewReader("123456"), 5)
	wantError(t, err, http.StatusRequestEntityTooLarge, "", "larger than 5 bytes")
	// Behind http.MaxBytesReader the limit error is also a 413.
	rec := httptest.NewRecorder()
	_, err = ReadBody(http.MaxBytesReader(rec, http.NoBody, 0), 10)
	if err != nil {
		t.Errorf("empty body: %v", err)
	}
	_, err = ReadBody(http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(strings.Repeat("x", 20))), 10), 100)
	wantError(t, err, http.StatusRequestEntityTooLarge, "", "")
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ body, detail string }{
		{``, "empty"},
		{`   `, "empty"},
		{`[1,2]`, "must be a JSON object"},
		{`"x"`, "must be a JSON object"},
		{`null`, "must be a JSON object"},
		{`{"userName": "a",}`, "line 1, column 18"},
		{"{\n  \"userName\": \"a\"\n  \"title\": 1}", "line 3, column 3"},
		{`{"userName": "a"`, "ends before"},
		{`{"userName": "a"} {"x": 1}`, "data after the JSON value"},
		{`{"userName": tru}`, "malformed JSON"},
		// Invalid UTF-8 is refused, not turned into U+FFFD.
		{"{\"userName\": \"k\xffss@example.com\"}", "not valid UTF-8 (byte 0xff at line 1, column 16)"},
		{"{\n\"userName\": \"\xc0\xafx\"}", "byte 0xc0 at line 2, column 14"},
		{"{\"userName\": \"\xed\xa0\x80\"}", "not valid UTF-8"}, // a UTF-16 surrogate
	}
	for _, tc := range tests {
		_, err := DecodeObject([]byte(tc.body))
		if err == nil {
			t.Errorf("%q accepted", tc.body)
			continue
		}
		wantError(t, err, http.StatusBadRequest, ErrInvalidSyntax, tc.detail)
	}
	// Wrong types in a typed body name the field.
	var r struct {
		Count int `json:"count"`
	}
	wantError(t, DecodeJSON([]byte(`{"count": "ten"}`), &r), 400, ErrInvalidSyntax, `"count" must be a number, not a JSON string`)
	_, err := DecodePatchRequest([]byte(`{"Operations": {"op": "add"}}`))
	wantError(t, err, 400, ErrInvalidSyntax, `"Operations" must be a JSON array`)
	_, err = DecodePatchRequest([]byte(`{"Operations": [{"op": "add", "path": 7}]}`))
	wantError(t, err, 400, ErrInvalidSyntax, `Operations[0].path must be a string`)
	_, err = DecodePatchRequest([]byte(`[]`))
	wantError(t, err, 400, ErrInvalidSyntax, `JSON object`)
}
