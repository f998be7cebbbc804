package backend_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestUnauthenticatedFloodLocksNoOneOut: 6,001 requests with bad tokens on
// each face (more than the Okta org's default budget of 6,000 a minute)
// leave the real admin served at once on both faces, with the Okta budget
// whole.
func TestUnauthenticatedFloodLocksNoOneOut(t *testing.T) {
	env := backendtest.Start(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	// get returns the status and the X-Rate-Limit-Remaining header.
	get := func(url, auth string) (int, string) {
		a := backendtest.Send(client, http.MethodGet, url, nil, "Authorization", auth)
		if a.Status == 0 {
			t.Errorf("%s: %s", a.Req, a.Raw)
		}
		return a.Status, a.Header.Get("X-Rate-Limit-Remaining")
	}
	targets := []struct{ url, bad string }{
		{env.OktaURL + "/api/v1/users", "SSWS 00notatoken"},
		{env.WrikeURL + "/api/v4/account", "Bearer wrka_notatoken"},
	}
	const flood = 6001
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < flood*len(targets); i += 8 {
				tg := targets[i%len(targets)]
				auth := tg.bad
				if i%4 < 2 {
					auth = "" // no token at all
				}
				if status, _ := get(tg.url, auth); status != http.StatusUnauthorized {
					t.Errorf("bad token on %s: %d, want 401", tg.url, status)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if status, left := get(env.OktaURL+"/api/v1/users", "SSWS "+env.OktaAPIToken); status != http.StatusOK || left != "5999" {
		t.Fatalf("Okta API token after the flood: %d with %q requests left, want 200 with 5999", status, left)
	}
	if status, _ := get(env.WrikeURL+"/api/v4/account", "Bearer "+env.WrikeAdminToken); status != http.StatusOK {
		t.Fatalf("Wrike admin token after the flood: %d, want 200", status)
	}
}

// TestTokensKeptBeforeStored: while tokens.env cannot be written (a
// directory stands in its place), Bootstrap, RotateAdminToken and
// MintOktaAPIToken fail and no token becomes valid or is revoked; once it
// can, the tokens Bootstrap mints are in the file.
func TestTokensKeptBeforeStored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blocker := filepath.Join(dir, backend.TokensFile)
	if err := os.Mkdir(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := backend.New(ctx, backend.Config{DataDir: dir, NoBootstrap: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Bootstrap(ctx); err == nil {
		t.Fatal("Bootstrap succeeded without writing tokens.env")
	}
	if n, _ := b.Okta.APITokenCount(ctx); b.Wrike.HasAdminToken() || n != 0 || b.BootstrapAdminToken != "" {
		t.Fatalf("a token not in tokens.env was stored (admin %v, okta %d)", b.Wrike.HasAdminToken(), n)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := b.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	kept, err := backend.LoadTokens(dir)
	if err != nil || kept.WrikeAdmin != b.BootstrapAdminToken || kept.OktaAPI != b.BootstrapOktaAPIToken || kept.WrikeAdmin == "" || kept.OktaAPI == "" {
		t.Fatalf("tokens.env %+v (%v), minted %q %q", kept, err, b.BootstrapAdminToken, b.BootstrapOktaAPIToken)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := backend.RotateAdminToken(ctx, dir); err == nil {
		t.Fatal("RotateAdminToken succeeded without writing tokens.env")
	}
	if _, err := backend.MintOktaAPIToken(ctx, dir, "x"); err == nil {
		t.Fatal("MintOktaAPIToken succeeded without writing tokens.env")
	}
	b, err = backend.New(ctx, backend.Config{DataDir: dir, NoBootstrap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	if n, _ := b.Okta.APITokenCount(ctx); n != 1 {
		t.Fatalf("after the failed mint: %d Okta tokens, want 1", n)
	}
	srv := httptest.NewServer(b.Wrike)
	defer srv.Close()
	a := backendtest.Send(nil, http.MethodGet, srv.URL+"/api/v4/account", nil, "Authorization", "Bearer "+kept.WrikeAdmin).Sent(t)
	if a.Status != http.StatusOK {
		t.Fatalf("the admin token after the failed rotation: %d, want 200", a.Status)
	}
}

// TestWritePrivateFileReplacesWhole: a file already there (dev.env of an
// earlier demo, say, made readable by someone) is replaced by one of mode
// 0600 holding only the new bytes, and nothing written aside is left behind.
func TestWritePrivateFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev.env")
	if err := os.WriteFile(path, []byte("export OLD=a-much-longer-line-than-the-new-one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := backend.WritePrivateFile(path, []byte("export NEW=1\n")); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil || string(raw) != "export NEW=1\n" {
		t.Fatalf("content %q (%v), want only the new line", raw, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", info.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only dev.env: %v", len(entries), entries)
	}
	if err := backend.WritePrivateFile(filepath.Join(dir, "missing", "dev.env"), nil); err == nil {
		t.Fatal("a write into a missing directory succeeded")
	}
}
