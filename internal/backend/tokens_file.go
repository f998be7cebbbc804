package backend

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
)

// TokensFile is the file in the data directory that keeps the last token
// minted for each face (by Bootstrap, RotateAdminToken or MintOktaAPIToken),
// written before the token's hash is stored, so that a token printed to a
// terminal nobody read, or not printed at all, is not lost. It is mode 0600 and in shell syntax, like dev.env:
//
//	export WRIKE_TOKEN=wrka_...
//	export OKTA_API_TOKEN=00...
const TokensFile = "tokens.env"

// Tokens are the tokens kept in TokensFile; empty means none minted yet.
type Tokens struct {
	WrikeAdmin string // WRIKE_TOKEN, the Wrike admin token
	OktaAPI    string // OKTA_API_TOKEN, the Okta API token (SSWS)
}

const (
	wrikeTokenVar = "WRIKE_TOKEN"
	oktaTokenVar  = "OKTA_API_TOKEN" //nolint:gosec // the name of a variable, not a credential
)

// LoadTokens reads dir's TokensFile; a missing file is no tokens.
func LoadTokens(dir string) (Tokens, error) {
	raw, err := os.ReadFile(filepath.Clean(filepath.Join(dir, TokensFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return Tokens{}, nil
	}
	if err != nil {
		return Tokens{}, err
	}
	var t Tokens
	for line := range strings.Lines(string(raw)) {
		k, v, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
		switch k {
		case wrikeTokenVar:
			t.WrikeAdmin = v
		case oktaTokenVar:
			t.OktaAPI = v
		}
	}
	return t, nil
}

// SaveTokens writes the tokens of t that are set into dir's TokensFile and
// keeps the others it holds. The file is replaced whole (written aside, then
// renamed), so a crash leaves the old file or the new one. It returns the
// file's path.
func SaveTokens(dir string, t Tokens) (string, error) {
	path := filepath.Join(dir, TokensFile)
	kept, err := LoadTokens(dir)
	if err != nil {
		return path, fmt.Errorf("read %s: %w", path, err)
	}
	if t.WrikeAdmin != "" {
		kept.WrikeAdmin = t.WrikeAdmin
	}
	if t.OktaAPI != "" {
		kept.OktaAPI = t.OktaAPI
	}
	var b strings.Builder
	// Tokens are base64url: nothing in them needs shell quoting.
	for _, kv := range [][2]string{{wrikeTokenVar, kept.WrikeAdmin}, {oktaTokenVar, kept.OktaAPI}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "export %s=%s\n", kv[0], kv[1])
		}
	}
	return path, WritePrivateFile(path, []byte(b.String()))
}

// WritePrivateFile replaces the file at path whole with data, mode 0600: it
// is written and synced aside in the same directory, then renamed, so a
// reader (or a crash) sees the old file or the new one, never part of one.
func WritePrivateFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// RotateAdminToken revokes every Wrike admin token of the data directory,
// creates a new one and returns it with the number revoked; the new token is
// in TokensFile before its hash is stored. It opens the store alone (no face,
// no provisioning engine, no port), so it runs with the server stopped; while
// a backend runs on the directory it fails with store.ErrLocked, since that
// backend would go on accepting the revoked tokens it holds in memory.
func RotateAdminToken(ctx context.Context, dir string) (revoked int, token string, err error) {
	token = wrike.NewAdminToken()
	err = withStore(ctx, dir, Tokens{WrikeAdmin: token}, func(db *store.DB) error {
		s := store.NewWrikeStore(db)
		if revoked, err = s.DeleteWrikeAdminTokens(ctx); err != nil {
			return fmt.Errorf("revoke admin tokens: %w", err)
		}
		if err := s.CreateWrikeAdminToken(ctx, wrike.AdminTokenRecord(token, time.Now())); err != nil {
			return fmt.Errorf("create admin token: %w", err)
		}
		return nil
	})
	return revoked, token, err
}

// MintOktaAPIToken creates a new Okta API token named name in the data
// directory, with the server stopped (store.ErrLocked otherwise), and returns
// it; it is in TokensFile before its hash is stored. Existing tokens stay
// valid; revoke a lost one with DELETE /api/v1/api-tokens/{id}.
func MintOktaAPIToken(ctx context.Context, dir, name string) (string, error) {
	token, err := okta.NewAPIToken()
	if err != nil {
		return "", err
	}
	return token, withStore(ctx, dir, Tokens{OktaAPI: token}, func(db *store.DB) error {
		if err := store.NewOktaStore(db).CreateOktaAPIToken(ctx, okta.APITokenRecord(name, token, time.Now())); err != nil {
			return fmt.Errorf("create okta api token: %w", err)
		}
		return nil
	})
}

// withStore saves t in dir's TokensFile and runs fn on the store of dir,
// opened (and so locked) for fn alone.
func withStore(ctx context.Context, dir string, t Tokens, fn func(*store.DB) error) error {
	db, err := store.Open(ctx, dir)
	if err != nil {
		return err
	}
	if _, err := SaveTokens(dir, t); err != nil {
		return errors.Join(err, db.Close())
	}
	return errors.Join(fn(db), db.Close())
}
