// Command wrike-backend is the reference backend: it plays Wrike (the admin
// API under /api/v4 and a SCIM 2.0 service provider under /scim/{provider}/v2)
// and Okta (a subset of the management API under /api/v1, a provisioning
// engine and the System Log) on two loopback ports, each with a browser
// console under /console/, over one SQLite database in the data directory, so
// that the provider and the provisioning flow run on one machine. The first
// start prints a Wrike admin token and an Okta API token and writes them to
// <data-dir>/tokens.env. --dev seeds a demo Okta org on first start and writes
// <data-dir>/dev.env; --rotate-admin-token and --mint-okta-token work on the
// data directory with the server stopped and exit. wrike-backend --help lists
// every flag with, where it has one, its environment variable.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Unless GOMEMLIMIT is set, the Go runtime's soft memory limit is the live
// heap once the data is loaded plus memoryHeadroom, and at least
// defaultMemoryLimit; while the data loads, the collector runs at
// loadGCPercent.
const (
	defaultMemoryLimit = 175 << 20
	memoryHeadroom     = 96 << 20
	loadGCPercent      = 25
)

// memoryLimit is the soft memory limit for the data now loaded.
func memoryLimit() int64 {
	runtime.GC()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	return max(defaultMemoryLimit, int64(live[0].Value.Uint64())+memoryHeadroom) //nolint:gosec // a heap size fits
}

type options struct {
	wrikeAddr string
	oktaAddr  string
	dev       bool
	// oktaSeed is the --okta-seed file, read and checked when the flags are.
	oktaSeed    string
	oktaSeedOrg *okta.Org
	dataDir     string
	logLevel    string
	publicURL   string
	rotate      bool
	mintOkta    bool
	// retryHorizon and retryMaxBackoff configure the provisioning engine's
	// retries of transient failures (okta.Config).
	retryHorizon, retryMaxBackoff time.Duration
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wrike-backend:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// parseFlags reads the command line. The usage goes to stdout when asked
// for (-h, --help), to stderr with a parse error.
func parseFlags(args []string, stdout, stderr io.Writer) (o options, err error) {
	fs := flag.NewFlagSet("wrike-backend", flag.ContinueOnError)
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	defer func() {
		if usage.Len() == 0 {
			return
		}
		out := stderr
		if errors.Is(err, flag.ErrHelp) {
			out = stdout
		}
		_, _ = usage.WriteTo(out)
	}()
	fs.StringVar(&o.wrikeAddr, "wrike-addr", env("WRIKE_BACKEND_WRIKE_ADDR", "127.0.0.1:7480"), "listen address of the Wrike face [WRIKE_BACKEND_WRIKE_ADDR]")
	fs.StringVar(&o.oktaAddr, "okta-addr", env("WRIKE_BACKEND_OKTA_ADDR", "127.0.0.1:7481"), "listen address of the Okta face [WRIKE_BACKEND_OKTA_ADDR]")
	fs.BoolVar(&o.dev, "dev", false, "seed a demo Okta org on first start and write <data-dir>/dev.env")
	fs.StringVar(&o.oktaSeed, "okta-seed", "", "with --dev: seed the Okta face from this JSON file (the Wrike app's id, groups, people with their profiles) instead of the demo org")
	fs.StringVar(&o.dataDir, "data-dir", env("WRIKE_BACKEND_DATA_DIR", "./data"), "data directory [WRIKE_BACKEND_DATA_DIR]")
	fs.StringVar(&o.logLevel, "log-level", env("WRIKE_BACKEND_LOG_LEVEL", "info"), "log level: debug, info, warn, error [WRIKE_BACKEND_LOG_LEVEL]")
	fs.StringVar(&o.publicURL, "public-url", env("WRIKE_BACKEND_PUBLIC_URL", ""), "externally visible base URL of the Wrike face, used in SCIM URLs [WRIKE_BACKEND_PUBLIC_URL]")
	horizon := fs.String("retry-horizon", env("WRIKE_BACKEND_RETRY_HORIZON", okta.DefaultRetryHorizon.String()),
		"how long the provisioning engine retries a push that fails transiently (network, timeout, 429, 5xx) before the task is FAILED [WRIKE_BACKEND_RETRY_HORIZON]")
	maxBackoff := fs.String("retry-max-backoff", env("WRIKE_BACKEND_RETRY_MAX_BACKOFF", okta.DefaultRetryMaxBackoff.String()),
		"longest wait between two retries of a push, Retry-After included [WRIKE_BACKEND_RETRY_MAX_BACKOFF]")
	// No environment fallback: a variable left set would rotate on every start.
	fs.BoolVar(&o.rotate, "rotate-admin-token", false, "with the server stopped: revoke every Wrike admin token, print a new one, write it to <data-dir>/"+backend.TokensFile+" and exit")
	fs.BoolVar(&o.mintOkta, "mint-okta-token", false, "with the server stopped: create a new Okta API token (the others stay valid), print it, write it to <data-dir>/"+backend.TokensFile+" and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, d := range []struct {
		name  string
		value string
		out   *time.Duration
	}{{"--retry-horizon", *horizon, &o.retryHorizon}, {"--retry-max-backoff", *maxBackoff, &o.retryMaxBackoff}} {
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return o, fmt.Errorf("%s: want a positive duration such as 24h or 15m, got %q", d.name, d.value)
		}
		*d.out = v
	}
	if (o.rotate || o.mintOkta) && o.dev {
		return o, errors.New("--rotate-admin-token and --mint-okta-token cannot be used with --dev: the demo's tokens are in <data-dir>/dev.env; remove the data directory to start the demo with new ones")
	}
	if o.oktaSeed != "" {
		if !o.dev {
			return o, errors.New("--okta-seed needs --dev: the seeded org's ids are written to <data-dir>/dev.env with the tokens")
		}
		f, err := os.Open(o.oktaSeed)
		if err != nil {
			return o, fmt.Errorf("--okta-seed: %w", err)
		}
		org, err := okta.ParseOrg(f)
		_ = f.Close()
		if err != nil {
			return o, fmt.Errorf("--okta-seed %s: %w", o.oktaSeed, err)
		}
		o.oktaSeedOrg = &org
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if o.rotate || o.mintOkta {
		return mintTokens(ctx, o, stdout)
	}
	// The Wrike face holds every user in memory. Unless GOMEMLIMIT says
	// otherwise, the collector keeps garbage small while users load, and
	// then a soft limit of the loaded data plus room for requests (at least
	// defaultMemoryLimit) makes it run before the heap doubles: that keeps
	// the backend within its memory budget (dev/BENCHMARKS.md) at any size.
	setLimit := os.Getenv("GOMEMLIMIT") == ""
	gcPercent := 0
	if setLimit {
		gcPercent = debug.SetGCPercent(loadGCPercent)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Tokens are minted only once both ports are bound: a start that cannot
	// listen creates nothing it could not show.
	// The engine makes no attempt before the Wrike face, its usual SCIM
	// target, listens: a restart then spends no attempt on itself.
	b, err := backend.New(ctx, backend.Config{DataDir: o.dataDir, Logger: logger, PublicURL: o.publicURL, NoBootstrap: true,
		HoldProvisioning: true,
		Okta:             func(c *okta.Config) { c.RetryHorizon, c.RetryMaxBackoff = o.retryHorizon, o.retryMaxBackoff }})
	if err != nil {
		return err
	}
	defer func() { _ = b.Close() }()
	if setLimit {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(memoryLimit())
	}

	wl, err := net.Listen("tcp", o.wrikeAddr)
	if err != nil {
		return fmt.Errorf("wrike face: %w", err)
	}
	ol, err := net.Listen("tcp", o.oktaAddr)
	if err != nil {
		_ = wl.Close()
		return fmt.Errorf("okta face: %w", err)
	}
	// Bound: a connection to either face now waits to be served, it is
	// not refused.
	b.StartProvisioning()
	if err := announce(ctx, o, b, wl.Addr(), ol.Addr(), stdout); err != nil {
		_ = wl.Close()
		_ = ol.Close()
		return err
	}

	wsrv := newServer(b.WrikeHandler(), false)
	osrv := newServer(b.OktaHandler(), true)
	errc := make(chan error, 2)
	go func() { errc <- wsrv.Serve(wl) }()
	go func() { errc <- osrv.Serve(ol) }()
	logger.Info("listening", "face", "wrike", "addr", wl.Addr().String(), "data_dir", o.dataDir)
	logger.Info("listening", "face", "okta", "addr", ol.Addr().String())

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(wsrv.Shutdown(shutdownCtx), osrv.Shutdown(shutdownCtx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return serveErr
}

// announce mints the first start's tokens (the ports are bound by now),
// prints them and the faces' URLs, and seeds the demo org with --dev.
func announce(ctx context.Context, o options, b *backend.Backend, wrikeAddr, oktaAddr net.Addr, stdout io.Writer) error {
	if err := b.Bootstrap(ctx); err != nil {
		return err
	}
	showTokens(stdout, o.dataDir, backend.Tokens{WrikeAdmin: b.BootstrapAdminToken, OktaAPI: b.BootstrapOktaAPIToken})
	wrikeURL := o.publicURL
	if wrikeURL == "" {
		wrikeURL = "http://" + wrikeAddr.String()
	}
	oktaURL := "http://" + oktaAddr.String()
	fmt.Fprintf(stdout, "Wrike face: %s (admin API %s/api/v4)\n", wrikeURL, wrikeURL)
	fmt.Fprintf(stdout, "Okta face: %s (management API %s/api/v1)\n", oktaURL, oktaURL)
	if o.dev {
		return seedDev(ctx, b, o.oktaSeedOrg, o.dataDir, wrikeURL, oktaURL, stdout)
	}
	return nil
}

// showTokens prints the tokens minted by this run: the only time they are
// shown (the database keeps their hashes), and they are also in
// <data-dir>/tokens.env.
func showTokens(stdout io.Writer, dataDir string, t backend.Tokens) {
	if t.WrikeAdmin != "" {
		fmt.Fprintf(stdout, "Wrike admin token (shown once, keep it): %s\n", t.WrikeAdmin)
	}
	if t.OktaAPI != "" {
		fmt.Fprintf(stdout, "Okta API token (shown once, keep it): %s\n", t.OktaAPI)
	}
	if t != (backend.Tokens{}) {
		fmt.Fprintf(stdout, "Also written to %s (mode 0600)\n", filepath.Join(dataDir, backend.TokensFile))
	}
}

// mintTokens runs --rotate-admin-token and --mint-okta-token: on the data
// directory alone, with the server stopped, binding no port.
func mintTokens(ctx context.Context, o options, stdout io.Writer) error {
	var t backend.Tokens
	// An admin token rotated before a failed mint is valid: show it anyway.
	defer func() { showTokens(stdout, o.dataDir, t) }()
	if o.rotate {
		revoked, tok, err := backend.RotateAdminToken(ctx, o.dataDir)
		if err != nil {
			return flagError("--rotate-admin-token", err)
		}
		fmt.Fprintf(stdout, "Revoked %d Wrike admin token(s)\n", revoked)
		t.WrikeAdmin = tok
	}
	if o.mintOkta {
		tok, err := backend.MintOktaAPIToken(ctx, o.dataDir, "minted")
		if err != nil {
			return flagError("--mint-okta-token", err)
		}
		t.OktaAPI = tok
	}
	return nil
}

func flagError(flag string, err error) error {
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%s needs the server stopped: %w", flag, err)
	}
	return fmt.Errorf("%s: %w", flag, err)
}
