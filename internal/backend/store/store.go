// Package store is the reference backend's persistence: one embedded SQLite
// database (pure Go, so CGO_ENABLED=0 builds work) that holds the data of both
// faces. Migrations are embedded and versioned, and writes go through a
// group-commit writer so that many small durable transactions share one fsync.
//
// Each face's persistence is a view of the DB made the same way,
// NewWrikeStore and NewOktaStore, each preparing its hot writes once; its
// records and store type are in wrike.go and okta.go, its SQL in
// wrike_<entity>.go and okta_<entity>.go. sql.go holds the query machinery
// both run their SQL through.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors shared by every face's store implementation. Faces map
// them to HTTP status codes in one place each.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrPrecondition reports a version (ETag) mismatch.
	ErrPrecondition = errors.New("precondition failed")
)

// FileName is the database file created inside the data directory.
const FileName = "wrike-backend.db"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// maxBatch bounds how many queued writes share one transaction.
const maxBatch = 256

// DB is an open store. It is safe for concurrent use.
type DB struct {
	read  *sql.DB
	write *sql.DB
	reqs  chan *writeReq
	stop  chan struct{}
	done  chan struct{}
	// stmts caches prepared statements (see prepared): "r"+query on the
	// read pool, "w"+query on the write connection.
	stmts sync.Map // key → *sql.Stmt
	// secrets seals values that must be read back (see sealer).
	secrets *sealer
	// lock is the data directory's lock, held until Close.
	lock *dirLock
}

type writeReq struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Tx) error
	errc chan error
}

// Open opens (creating if needed) the database in dir and applies pending
// migrations. Every write acknowledged by Write is durable: the database runs
// in WAL mode with synchronous=FULL. The directory stays locked to this
// process until Close (ErrLocked when another holds it); it is made 0700 and
// the database files 0600, whatever their modes were.
func Open(ctx context.Context, dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("store: a data directory is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	// The directory holds the secret key and the database: only its owner
	// may list or enter it, whoever created it.
	if err := os.Chmod(dir, 0o700); err != nil { //nolint:gosec // a directory needs its x bit; 0700 is owner-only
		return nil, fmt.Errorf("store: restrict data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	db, err := open(ctx, dir)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// open opens the database of a data directory this process has locked.
func open(ctx context.Context, dir string) (*DB, error) {
	secrets, err := loadSealer(dir)
	if err != nil {
		return nil, err
	}
	if err := restrictDBFiles(dir); err != nil {
		return nil, err
	}
	dsn := "file:" + filepath.Join(dir, FileName) +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	read.SetConnMaxLifetime(0)

	db := &DB{
		read:    read,
		write:   write,
		reqs:    make(chan *writeReq, maxBatch),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		secrets: secrets,
	}
	if err := db.migrate(ctx); err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, err
	}
	go db.writer()
	return db, nil
}

// Read returns the pool for read-only queries.
func (db *DB) Read() *sql.DB { return db.read }

// Close stops the writer after the queued writes and closes the database.
func (db *DB) Close() error {
	select {
	case <-db.stop:
	default:
		close(db.stop)
	}
	<-db.done
	db.stmts.Range(func(_, st any) bool {
		if s, ok := st.(*sql.Stmt); ok {
			_ = s.Close()
		}
		return true
	})
	err := errors.Join(db.read.Close(), db.write.Close())
	if db.lock != nil {
		// Last: the next process may open the database once it is closed.
		err = errors.Join(err, db.lock.Close())
	}
	return err
}

// restrictDBFiles makes the database and its -wal and -shm files readable by
// the owner only. SQLite creates the -wal and -shm files with the mode of the
// database file, so creating that one 0600 first covers all three; files an
// earlier version left with a wider mode are narrowed.
func restrictDBFiles(dir string) error {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(filepath.Clean(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: restrict %s: %w", p, err)
		}
	}
	return nil
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("store: closed")

// Write runs fn inside a transaction and returns once that transaction is
// durably committed (or fn failed, in which case none of fn's changes are
// kept). Concurrent calls are batched into one transaction, each inside its own
// savepoint, so one failing fn does not affect the others. fn gets ctx's
// values without its cancellation: SQLite rolls back the whole transaction
// when it interrupts a write statement, so a client that leaves while its
// fn runs would otherwise undo the writes of every other request in the
// batch. (A request whose ctx ended before its turn is skipped.) Callers
// must update any in-memory state only after Write returns nil.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, errc: make(chan error, 1)}
	select {
	case <-db.stop:
		return ErrClosed
	default:
	}
	select {
	case db.reqs <- req:
	case <-db.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the write may
	// already be committed and the caller must not report it as failed.
	// A request queued while Close ran may never be picked up: the writer
	// answers every request before it exits, so after done nothing is coming.
	select {
	case err := <-req.errc:
		return err
	case <-db.done:
		select {
		case err := <-req.errc:
			return err
		default:
			return ErrClosed
		}
	}
}

func (db *DB) writer() {
	defer close(db.done)
	for {
		var first *writeReq
		select {
		case first = <-db.reqs:
		case <-db.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-db.reqs:
					db.commit([]*writeReq{r})
				default:
					return
				}
			}
		}
		batch := []*writeReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-db.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.commit(batch)
	}
}

func (db *DB) commit(batch []*writeReq) {
	results := make([]error, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.errc <- err
		}
	}
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("store: begin: %w", err))
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		sp := "w" + strconv.Itoa(i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			_ = tx.Rollback()
			fail(fmt.Errorf("store: savepoint: %w", err))
			return
		}
		results[i] = runFn(r.ctx, r.fn, tx)
		if results[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO " + sp); err != nil {
				_ = tx.Rollback()
				fail(fmt.Errorf("store: rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.Exec("RELEASE " + sp); err != nil {
			_ = tx.Rollback()
			fail(fmt.Errorf("store: release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("store: commit: %w", err))
		return
	}
	for i, r := range batch {
		r.errc <- results[i]
	}
}

func runFn(ctx context.Context, fn func(context.Context, *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn(context.WithoutCancel(ctx), tx)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_description.sql", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("store: two migrations with version %d", out[i].version)
		}
	}
	return out, nil
}

func (db *DB) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	applied := map[int]bool{}
	rows, err := db.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			_ = rows.Close()
			return err
		}
		applied[v] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.version] {
			continue
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}
