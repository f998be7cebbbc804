package wrike

import (
	"bytes"
	"testing"
)

func TestPackDocRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],"id":"X","meta":{}}`,
		// A URN inside a value, a longer name that only starts like a URN, and an escaped control byte.
		`{"title":"urn:ietf:params:scim:schemas:core:2.0:User","x":"urn:ietf:params:scim:schemas:core:2.0:UserX","y":"\u0001","z":"urn:ietf:params:scim:schemas:core:2.0:User:userName","m":{}}`,
		`{"a":"urn:ietf:params:scim:schemas:","b":{}}`,
		`{}`,
		`{"schemas":[`,
		`{"emails":[{"primary":true,"type":"work","value":"a@b.c"},{"type":"home","value":"x"}],"meta":{"resourceType":"User","created":"t","lastModified":"t","version":"W/\"3\""}}`,
	} {
		packed := packDoc([]byte(doc))
		if got := appendUnpacked(nil, packed); !bytes.Equal(got, []byte(doc)) {
			t.Errorf("round trip:\n got %s\nwant %s", got, doc)
		}
		if len(packed) > len(doc) {
			t.Errorf("packed %d bytes from %d", len(packed), len(doc))
		}
	}
	full := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x"}`
	if p := packDoc([]byte(full)); string(p) != "\x04\x01\x05x\"}" {
		t.Errorf("packed = %q", p)
	}
}
