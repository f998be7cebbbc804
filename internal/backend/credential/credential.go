// Package credential makes the secrets the backend hands out (Wrike admin
// and API app tokens, Okta API tokens, console sessions) and hashes the
// tokens it verifies, once for both faces: a token is never stored, only its
// SHA-256, and compared only through that hash, so a lookup's timing reveals
// nothing usable about a token.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// New returns prefix followed by n random bytes in unpadded base64url.
func New(prefix string, n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error: it crashes the program when
	// the system's generator fails.
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Hash is what the store keeps of a token.
func Hash(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }
