package wrike

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// BenchmarkStartUp is the Wrike face's start on a data directory of
// BENCH_STARTUP_USERS users (default 100,000): New reading every user from
// the tables. BENCH_STARTUP_DIR keeps the seeded directory between runs.
func BenchmarkStartUp(b *testing.B) {
	users := 100_000
	if v := os.Getenv("BENCH_STARTUP_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("BENCH_STARTUP_USERS=%q: %v", v, err)
		}
		users = n
	}
	dir := os.Getenv("BENCH_STARTUP_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := context.Background()
	seedStartUp(b, ctx, dir, users)
	b.ResetTimer()
	for range b.N {
		db, err := store.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		s, err := New(ctx, Config{Store: store.NewWrikeStore(db)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/start")
		if n := len(s.users.order); n != users {
			b.Fatalf("loaded %d users, want %d", n, users)
		}
		runtime.KeepAlive(s)
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// seedStartUp imports users into dir unless it holds them already.
func seedStartUp(b *testing.B, ctx context.Context, dir string, users int) {
	b.Helper()
	marker := filepath.Join(dir, "seeded-"+strconv.Itoa(users))
	if _, err := os.Stat(marker); err == nil {
		return
	}
	db, err := store.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	ws := store.NewWrikeStore(db)
	now := time.Now().UTC()
	if err := ws.CreateWrikeApprovedDomain(ctx, store.WrikeApprovedDomain{ID: NewID(), Domain: "load.example.com", Created: now}); err != nil {
		b.Fatal(err)
	}
	if err := ws.PutWrikeSCIMIntegration(ctx, store.WrikeSCIMIntegration{Provider: "okta", Enabled: true, DefaultUserType: "Regular", Updated: now}); err != nil {
		b.Fatal(err)
	}
	s, err := New(ctx, Config{Store: ws})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportUsers(ctx, "okta", users, 10_000, loadUserBody); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		b.Fatal(err)
	}
}
