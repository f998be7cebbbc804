package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/jsonkeys"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decode reads a JSON object body. A malformed body, or one with a key
// repeated in an object (exactly or in another letter case), is Okta's
// E0000003; a body over maxBody a 413.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return apiErr(http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed.",
			fmt.Sprintf("the body exceeds %d bytes", maxBody))
	}
	if err == nil && len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err == nil {
		if i := scim.InvalidUTF8(body); i >= 0 {
			// encoding/json would store U+FFFD in place of the bytes sent.
			err = fmt.Errorf("the body is not valid UTF-8 (byte 0x%02x at offset %d)", body[i], i)
		} else if err = json.Unmarshal(body, v); err == nil {
			if d := jsonkeys.Find(body); d != nil {
				// encoding/json keeps the last of two equal keys and
				// matches struct fields in any case: the body is ambiguous.
				err = d
			}
		}
	}
	if err != nil {
		return apiErr(http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
	}
	return nil
}
