package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestWriteBatchesIsolateFailures(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.Exec(`INSERT INTO t(k) VALUES (?)`, i); err != nil {
					return err
				}
				if i%2 == 1 {
					return errors.New("odd rejected")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%2 == 1) != (err != nil) {
			t.Fatalf("write %d: err = %v", i, err)
		}
	}
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("rows = %d, want 100 (failed writes must leave nothing)", n)
	}
}

func TestWritePanicIsAnError(t *testing.T) {
	db := openTest(t)
	err := db.Write(context.Background(), func(context.Context, *sql.Tx) error { panic("boom") })
	if err == nil {
		t.Fatal("want error from panicking write")
	}
}

func TestReopenKeepsDataAndMigrationsOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO store_info(key, value) VALUES ('probe', 'kept')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(context.Context, *sql.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var v string
	if err := db.Read().QueryRow(`SELECT value FROM store_info WHERE key='probe'`).Scan(&v); err != nil || v != "kept" {
		t.Fatalf("value = %q, err = %v", v, err)
	}
}

// TestWritesPrepared: the statements run by the thousand inside write
// transactions (the provisioning engine's, each face's user creates and
// updates: SCIM POSTs and PATCHes, Okta's user API) are prepared on the
// writer's connection once the face's store exists; inside a transaction
// none could be prepared any more (the writer's only connection is taken).
func TestWritesPrepared(t *testing.T) {
	for _, face := range []struct {
		name    string
		queries []string
		open    func(*DB)
	}{
		{"okta engine", engineWrites, func(db *DB) { NewOktaStore(db) }},
		{"wrike users", wrikeUserWrites, func(db *DB) { NewWrikeStore(db) }},
		{"okta users", oktaUserWrites, func(db *DB) { NewOktaStore(db) }},
	} {
		t.Run(face.name, func(t *testing.T) {
			db := openTest(t)
			for _, q := range face.queries {
				if _, ok := db.cachedStmt("w" + q); ok {
					t.Fatalf("prepared before the store exists: %.40s", q)
				}
			}
			face.open(db)
			err := db.Write(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				for _, q := range face.queries {
					if _, err := (preparedQuerier{db: db, tx: tx}).stmt(context.Background(), q); err != nil {
						return fmt.Errorf("%.40s: %w", q, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestClientLeavingMidWriteKeepsTheBatch: a request whose client leaves
// while its write runs (its context cancelled inside fn) neither fails nor
// undoes the writes batched with it. fn's context carries the caller's
// values but no cancellation, so no interrupt can reach SQLite, which
// would roll back the whole batch's transaction.
func TestClientLeavingMidWriteKeepsTheBatch(t *testing.T) {
	db := openTest(t)
	bg := context.Background()
	if err := db.Write(bg, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE left_mid_write(n INTEGER)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	type key struct{}
	const writers = 16
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.WithValue(bg, key{}, i))
			defer cancel()
			errs[i] = db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if ctx.Done() != nil || ctx.Value(key{}) != i {
					return fmt.Errorf("fn's context: cancellable %v, value %v", ctx.Done() != nil, ctx.Value(key{}))
				}
				if i%2 == 0 {
					cancel() // this client leaves while its write runs
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO left_mid_write(n) VALUES (?)`, i)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var n int
	if err := db.Read().QueryRowContext(bg, `SELECT count(*) FROM left_mid_write`).Scan(&n); err != nil || n != writers {
		t.Fatalf("rows kept: %d (%v), want %d", n, err, writers)
	}
}
