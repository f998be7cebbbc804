// Package reliabilitytest holds the checks the reliability tests share across
// packages: a snapshot of everything the reference backend has stored (to
// prove a refused request changed nothing), a log sink that keeps every line
// at debug level, and a scanner that finds secrets in captured text (to prove
// no token, Authorization header or SSWS value reached a log). dev/RELIABILITY.md
// lists the tests built on it.
//
// It also holds what the load and crash programs under internal/cmd share,
// so that each of them is only what it measures: starting a wrike-backend
// binary on loopback and waiting for it (StartBackend), a client with one
// Authorization header, the administrator's SCIM setup, requests in
// parallel, timed load with its percentiles (Measure), load in the
// background, and a process's CPU time.
package reliabilitytest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Snapshotter reads the backend's database through its own read-only
// connection, so it sees exactly what a restart would load.
type Snapshotter struct {
	db *sql.DB
}

// OpenSnapshotter opens the database in a backend's data directory read-only.
func OpenSnapshotter(dataDir string) (*Snapshotter, error) {
	dsn := "file:" + filepath.Join(dataDir, store.FileName) + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &Snapshotter{db: db}, nil
}

// Close closes the connection.
func (s *Snapshotter) Close() error { return s.db.Close() }

// Snapshot renders every row of every table (but the migration log) as
// sorted text: two snapshots are equal exactly when the stored data is.
func (s *Snapshotter) Snapshot(ctx context.Context) (string, error) {
	tables, err := s.Tables(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, t := range tables {
		rows, err := s.Rows(ctx, t)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "== %s (%d)\n", t, len(rows))
		for _, r := range rows {
			b.WriteString(r)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// Tables lists the user tables, sorted.
func (s *Snapshotter) Tables(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Rows renders one table's rows as sorted text lines.
func (s *Snapshotter) Rows(ctx context.Context, table string) ([]string, error) {
	var out []string
	err := s.eachRow(ctx, table, func(cols []string, vals []any) {
		var line strings.Builder
		for i, v := range vals {
			if i > 0 {
				line.WriteString(" | ")
			}
			fmt.Fprintf(&line, "%s=%s", cols[i], render(v))
		}
		out = append(out, line.String())
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// eachRow calls fn with the column names and values of every row of table;
// vals is reused from one row to the next.
func (s *Snapshotter) eachRow(ctx context.Context, table string, fn func(cols []string, vals []any)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fn(cols, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return fmt.Sprintf("%x", x)
	default:
		return fmt.Sprint(x)
	}
}

// RawStrings returns every text and blob value in the database (blobs also
// hex-encoded), for tests that search the stored data for a secret.
func (s *Snapshotter) RawStrings(ctx context.Context) ([]string, error) {
	tables, err := s.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tables {
		err := s.eachRow(ctx, t, func(_ []string, vals []any) {
			for _, v := range vals {
				switch x := v.(type) {
				case string:
					out = append(out, x)
				case []byte:
					out = append(out, string(x), fmt.Sprintf("%x", x))
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LogSink is a concurrency-safe buffer for slog output or a process's
// output.
type LogSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *LogSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// DebugLogger returns a JSON logger at debug level (the most verbose the
// backend has) writing into the sink.
func (l *LogSink) DebugLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Secret-shaped text: the backend's token formats, and the header names and
// schemes that only ever precede a credential.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`wrka_[A-Za-z0-9_-]{20,}`),
	regexp.MustCompile(`wrk4_[A-Za-z0-9_-]{20,}`),
	regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}`),
	regexp.MustCompile(`(?i)\bssws\s+[A-Za-z0-9._~+/=-]{8,}`),
	regexp.MustCompile(`(?i)"?authorization"?\s*[:=]\s*"?[A-Za-z]+\s+[A-Za-z0-9._~+/=-]{8,}`),
}

// FindSecrets returns, for each known secret found in text and each
// secret-shaped match, a short description that does not repeat the secret
// (so a failing test does not leak it either).
func FindSecrets(text string, secrets ...string) []string {
	var found []string
	for i, s := range secrets {
		if s == "" {
			continue
		}
		if n := strings.Count(text, s); n > 0 {
			found = append(found, fmt.Sprintf("secret #%d (%d characters) appears %d times", i, len(s), n))
		}
	}
	for _, re := range secretPatterns {
		if locs := re.FindAllStringIndex(text, -1); len(locs) > 0 {
			at := locs[0][0]
			found = append(found, fmt.Sprintf("%d matches of %s, first at offset %d: %q...", len(locs), re, at, text[at:min(at+6, len(text))]))
		}
	}
	return found
}
