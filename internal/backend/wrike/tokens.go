package wrike

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/credential"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Token prefixes let log scrubbers recognise the secrets.
const (
	adminTokenPrefix = "wrka_"
	apiTokenPrefix   = "wrk4_"
)

type tokenHash [sha256.Size]byte

func hashToken(tok string) tokenHash { return credential.Hash(tok) }

func toHash(b []byte) tokenHash {
	var h tokenHash
	copy(h[:], b)
	return h
}

// newToken returns prefix + 32 random bytes in base64url.
func newToken(prefix string) string { return credential.New(prefix, 32) }

// NewAdminToken returns a new admin token, valid once AddAdminToken (or, for
// a store no Server runs on, AdminTokenRecord and the store) has its hash.
func NewAdminToken() string { return newToken(adminTokenPrefix) }

// AdminTokenRecord is what the store keeps of an admin token: its hash.
func AdminTokenRecord(token string, created time.Time) store.WrikeAdminToken {
	return adminTokenRecord(token, NewID(), created)
}

func adminTokenRecord(token, id string, created time.Time) store.WrikeAdminToken {
	h := hashToken(token)
	return store.WrikeAdminToken{ID: id, TokenHash: h[:], Created: created.UTC()}
}

// bearer returns the token of an "Authorization: Bearer <token>" header, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

// lookupHash finds h among known token hashes. Tokens are compared only
// through their SHA-256 hashes, so the lookup's timing reveals nothing usable
// about a token.
func lookupHash[V any](m map[tokenHash]V, h tokenHash) (V, bool) {
	v, ok := m[h]
	return v, ok
}
