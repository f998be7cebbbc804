package wrike

import (
	"strings"
	"testing"
)

func TestASCII(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "kiss@kiss.example.com": true, strings.Repeat("a", 17): true,
		"\u212Aiss@kiss.example.com": false, strings.Repeat("a", 16) + "é": false, "aaaaaaa\xff": false,
	} {
		if got := ascii([]byte(s)); got != want {
			t.Errorf("ascii(%q) = %v, want %v", s, got, want)
		}
	}
}

// BenchmarkRekeyCheck is the start-up cost per stored user of looking for
// rows written before keys were canonical (an ASCII resource is skipped).
func BenchmarkRekeyCheck(b *testing.B) {
	doc := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"ABCDEFGHIJKLMNOP",` +
		`"userName":"first.last@acme.example.com","name":{"givenName":"First","familyName":"Last"},` +
		`"emails":[{"primary":true,"type":"work","value":"first.last@acme.example.com"}],"title":"Engineer",` +
		`"meta":{"resourceType":"User","created":"2026-11-27T10:00:00.000Z","lastModified":"2026-11-27T10:00:00.000Z","version":"W/\"1\""}}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if !ascii(doc) {
			b.Fatal("not ASCII")
		}
	}
}
