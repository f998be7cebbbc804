package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretKeyFile holds the key that seals secrets the backend must read back.
const SecretKeyFile = "secret.key"

const sealedPrefix = "v1:"

// sealer encrypts the secrets the backend has to use again later (the SCIM
// bearer token of an Okta app connection, sent on every push) with
// AES-256-GCM under a key kept beside the database, so the database file
// alone, in a backup or a bug report, does not reveal them. Tokens the
// backend only verifies are never sealed: they are stored as hashes.
type sealer struct{ aead cipher.AEAD }

func loadSealer(dir string) (*sealer, error) {
	path := filepath.Join(dir, SecretKeyFile)
	key, err := os.ReadFile(filepath.Clean(path))
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("store: generate secret key: %w", err)
		}
		f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create secret key: %w", err)
		}
		_, werr := f.Write(key)
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("store: write secret key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("store: read secret key: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("store: %s must hold 32 bytes, found %d", path, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts v; the empty string stays empty (no secret set).
func (s *sealer) seal(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(v), nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// open decrypts what seal produced.
func (s *sealer) open(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return "", errors.New("store: sealed secret has an unknown format")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("store: sealed secret is corrupt")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("store: sealed secret does not open with this data directory's secret.key")
	}
	return string(plain), nil
}
