package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The query machinery both faces' stores use: every statement runs through
// a querier (the read pool, a write's transaction, or a preparedQuerier over
// either), rows are read through collect with a scan function per record,
// and the hot statements are prepared once, when the face's store is made.

// querier is what *sql.DB, *sql.Tx and preparedQuerier have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(...any) error }

// collect reads the rows of a query (rows and err as QueryContext returned
// them) through scan, keeping those keep accepts (every row when keep is
// nil) up to limit (no bound when limit < 0), and closes the rows.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error), keep func(T) bool, limit int) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for (limit < 0 || len(out) < limit) && rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

// preparedQuerier runs queries through prepared statements, on the read pool
// or, when tx is set, inside that write's transaction.
type preparedQuerier struct {
	db *DB
	tx *sql.Tx
}

var errNotPrepared = errors.New("store: statement not prepared")

func (p preparedQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if p.tx == nil {
		return p.db.prepared(ctx, query, false)
	}
	// Inside a transaction the writer's only connection is taken, so a
	// statement can be used only if it was prepared before (each face's
	// store prepares its hot writes when it is made, see prepare);
	// otherwise it runs unprepared.
	if st, ok := p.db.cachedStmt("w" + query); ok {
		return p.tx.Stmt(st), nil
	}
	return nil, errNotPrepared
}

func (p preparedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		if p.tx != nil {
			return p.tx.QueryContext(ctx, query, args...)
		}
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p preparedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		// Unprepared, the query reports the same error through Scan.
		if p.tx != nil {
			return p.tx.QueryRowContext(ctx, query, args...)
		}
		return p.db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (p preparedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		if p.tx != nil {
			return p.tx.ExecContext(ctx, query, args...)
		}
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// cachedStmt returns the statement cached under key.
func (db *DB) cachedStmt(key string) (*sql.Stmt, bool) {
	v, ok := db.stmts.Load(key)
	if !ok {
		return nil, false
	}
	st, ok := v.(*sql.Stmt)
	return st, ok
}

// prepared returns query prepared on the read pool (write false) or on the
// write connection (write true), preparing it once. Hot paths run thousands
// of times a second; preparing once saves parsing the SQL on every call.
// Prepare writes outside Write: the writer holds the only write connection
// while it runs a batch, so preparing inside a write function would wait
// for itself.
func (db *DB) prepared(ctx context.Context, query string, write bool) (*sql.Stmt, error) {
	key, pool := "r"+query, db.read
	if write {
		key, pool = "w"+query, db.write
	}
	if st, ok := db.cachedStmt(key); ok {
		return st, nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(key, st); loaded {
		_ = st.Close()
		if prevSt, ok := prev.(*sql.Stmt); ok {
			return prevSt, nil
		}
	}
	return st, nil
}

// prepare prepares write queries on the write connection (see prepared), for
// preparedQuerier to run inside writes. A statement that cannot be prepared
// runs unprepared, and reports its error then.
func (db *DB) prepare(queries ...string) {
	for _, q := range queries {
		_, _ = db.prepared(context.Background(), q, true)
	}
}

const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeFormat, s) }

// uniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func uniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// wrapUnique turns a uniqueness violation into ErrConflict.
func wrapUnique(err error) error {
	if uniqueViolation(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return wrapUnique(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
