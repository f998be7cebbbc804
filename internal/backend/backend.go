// Package backend is the reference backend: it opens the one store and wires
// the faces onto it. Each face is a plain http.Handler, so the binary serves
// them on their own listeners and tests mount them with httptest.
package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/console"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// Config configures the backend.
type Config struct {
	// DataDir holds the database; it is created when missing.
	DataDir string
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Clock and NewID make time and identifiers injectable for tests.
	Clock func() time.Time
	NewID func() string
	// PublicURL is the Wrike face's externally visible base URL
	// (scheme://host:port); empty derives it from each request. The SCIM
	// URLs the admin API reports are built from it.
	PublicURL string
	// AdminToken, when set, is made a valid Wrike admin token (stored
	// hashed). Tests and development use it to know the token in advance.
	AdminToken string
	// NoBootstrap stops New from creating an admin token (or an Okta API
	// token) when none exists; Bootstrap does it later.
	NoBootstrap bool
	// OktaAPIToken, when set, is made a valid Okta API token (SSWS).
	OktaAPIToken string
	// HoldProvisioning starts the Okta face's engine with no attempt made
	// until StartProvisioning: the binary calls it once the Wrike face
	// listens, the engine's usual SCIM target.
	HoldProvisioning bool
	// Okta, when set, adjusts the Okta face's configuration (rate limit,
	// provisioning workers, retries, timeouts) before it starts.
	Okta func(*okta.Config)
	// Wrike, when set, adjusts the Wrike face's configuration (the budget of
	// unindexed SCIM queries) before it starts.
	Wrike func(*wrike.Config)
}

// Backend is a running reference backend.
type Backend struct {
	// Wrike is the Wrike face: admin API /api/v4 and SCIM /scim/{provider}/v2.
	Wrike *wrike.Server

	// Okta is the Okta face: management API /api/v1, provisioning engine and
	// System Log, on the same store.
	Okta *okta.Server

	// BootstrapAdminToken is the Wrike admin token created by this start
	// because none existed; empty otherwise. It is not stored anywhere, so
	// it must be shown to the operator now or never.
	BootstrapAdminToken string
	// BootstrapOktaAPIToken is the Okta API token created by this start
	// because none existed; empty otherwise. Like the admin token, it is
	// shown now or never.
	BootstrapOktaAPIToken string
	// WrikeConsole and OktaConsole are the faces' browser consoles, served
	// under /console/ by WrikeHandler and OktaHandler.
	WrikeConsole, OktaConsole *console.Console

	db      *store.DB
	dataDir string
	// gate admits both faces' heavy requests (internal/cost).
	gate *cost.Gate
}

// New opens the store in cfg.DataDir (locking it: store.ErrLocked when
// another process runs on it) and builds the faces. On a first start (no
// admin token yet, no preset, bootstrap allowed) it creates an admin token
// and returns it in BootstrapAdminToken.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := store.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	// One gate for both faces: the heavy requests of either take at most
	// one slot per two cores of the process (internal/cost).
	b := &Backend{db: db, dataDir: cfg.DataDir, gate: cost.NewGate(cost.GateConfig{})}
	wcfg := wrike.Config{
		Store:     store.NewWrikeStore(db),
		Logger:    logger.With("face", "wrike"),
		Clock:     cfg.Clock,
		NewID:     cfg.NewID,
		PublicURL: cfg.PublicURL,
		Gate:      b.gate,
	}
	if cfg.Wrike != nil {
		cfg.Wrike(&wcfg)
	}
	b.Wrike, err = wrike.New(ctx, wcfg)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if cfg.AdminToken != "" {
		if err := b.Wrike.AddAdminToken(ctx, cfg.AdminToken); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	if err := b.startOkta(ctx, cfg, db, logger); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := b.startConsoles(cfg, logger); err != nil {
		_ = b.Close()
		return nil, err
	}
	if !cfg.NoBootstrap {
		if err := b.Bootstrap(ctx); err != nil {
			_ = b.Close()
			return nil, err
		}
	}
	return b, nil
}

func (b *Backend) startConsoles(cfg Config, logger *slog.Logger) error {
	var err error
	if b.WrikeConsole, err = console.New(console.Config{Face: console.Wrike, API: b.Wrike, Clock: cfg.Clock, Logger: logger.With("face", "wrike")}); err != nil {
		return err
	}
	b.OktaConsole, err = console.New(console.Config{Face: console.Okta, API: b.Okta, Clock: cfg.Clock, Logger: logger.With("face", "okta")})
	return err
}

// WrikeHandler serves the Wrike face with its console under /console/.
func (b *Backend) WrikeHandler() http.Handler { return b.WrikeConsole.Handler(b.Wrike) }

// OktaHandler serves the Okta face with its console under /console/.
func (b *Backend) OktaHandler() http.Handler { return b.OktaConsole.Handler(b.Okta) }

// Bootstrap creates a Wrike admin token if none exists and an Okta API token
// if none exists, and returns them in BootstrapAdminToken and
// BootstrapOktaAPIToken. It writes them to the data directory's TokensFile
// before it stores their hashes, so that no token ever works that is not
// kept there. The binary calls it once its ports are bound, so a start that
// cannot listen mints nothing.
func (b *Backend) Bootstrap(ctx context.Context) error {
	var t Tokens
	if !b.Wrike.HasAdminToken() {
		t.WrikeAdmin = wrike.NewAdminToken()
	}
	n, err := b.Okta.APITokenCount(ctx)
	if err == nil && n == 0 {
		t.OktaAPI, err = okta.NewAPIToken()
	}
	if err != nil {
		return fmt.Errorf("backend: bootstrap okta api token: %w", err)
	}
	if t == (Tokens{}) {
		return nil
	}
	if _, err := SaveTokens(b.dataDir, t); err != nil {
		return fmt.Errorf("backend: bootstrap: %w", err)
	}
	if t.WrikeAdmin != "" {
		if err := b.Wrike.AddAdminToken(ctx, t.WrikeAdmin); err != nil {
			return fmt.Errorf("backend: bootstrap admin token: %w", err)
		}
	}
	if t.OktaAPI != "" {
		if err := b.Okta.AddAPIToken(ctx, "first-start", t.OktaAPI); err != nil {
			return fmt.Errorf("backend: bootstrap okta api token: %w", err)
		}
	}
	b.BootstrapAdminToken, b.BootstrapOktaAPIToken = t.WrikeAdmin, t.OktaAPI
	return nil
}

func (b *Backend) startOkta(ctx context.Context, cfg Config, db *store.DB, logger *slog.Logger) error {
	oc := okta.Config{Store: store.NewOktaStore(db), Logger: logger.With("face", "okta"), Clock: cfg.Clock, NewID: cfg.NewID, Gate: b.gate,
		HoldProvisioning: cfg.HoldProvisioning}
	if cfg.Okta != nil {
		cfg.Okta(&oc)
	}
	var err error
	if b.Okta, err = okta.New(ctx, oc); err != nil {
		return err
	}
	if cfg.OktaAPIToken != "" {
		if err := b.Okta.AddAPIToken(ctx, "preset", cfg.OktaAPIToken); err != nil {
			_ = b.Okta.Close()
			return fmt.Errorf("backend: okta api token: %w", err)
		}
	}
	return nil
}

// StartProvisioning lets the Okta face's engine, started with
// HoldProvisioning, make its attempts.
func (b *Backend) StartProvisioning() { b.Okta.StartProvisioning() }

// Close waits for queued writes and closes the store. Stop the HTTP servers
// first so that no request is still writing.
func (b *Backend) Close() error {
	if b == nil || b.db == nil {
		return errors.New("backend: not open")
	}
	// The provisioning engine stops first: its queued tasks stay in the
	// store and resume on the next start.
	if b.Okta != nil {
		_ = b.Okta.Close()
	}
	return b.db.Close()
}
