package credential

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// TestNew: the prefix is kept, the rest decodes to exactly n bytes, and no
// two secrets of a thousand are alike.
func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for i := range 1000 {
		n := 16 + i%17
		tok := New("wrka_", n)
		rest, ok := strings.CutPrefix(tok, "wrka_")
		if !ok {
			t.Fatalf("New(%q, %d) = %q: prefix lost", "wrka_", n, tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil || len(raw) != n {
			t.Fatalf("New(_, %d) = %q: %d bytes, %v", n, tok, len(raw), err)
		}
		if seen[rest] {
			t.Fatalf("New returned %q twice", tok)
		}
		seen[rest] = true
	}
}

// TestHash: the hash is SHA-256 of the token's bytes (what data
// directories written by earlier versions hold), and tokens differing in
// one character hash apart.
func TestHash(t *testing.T) {
	tok := New("00", 30)
	if Hash(tok) != sha256.Sum256([]byte(tok)) {
		t.Fatal("Hash is not the SHA-256 of the token")
	}
	if Hash(tok) == Hash(tok[:len(tok)-1]+"!") {
		t.Fatal("two tokens hash alike")
	}
}
