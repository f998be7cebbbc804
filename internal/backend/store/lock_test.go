package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOpenLocksDataDirectory: a second Open of a data directory in use fails
// with ErrLocked naming the directory and the holder's PID, and changes
// nothing; once the first is closed the directory opens again.
func TestOpenLocksDataDirectory(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(context.Background(), dir)
	if err == nil {
		_ = second.Close()
		_ = first.Close()
		t.Fatal("a second Open of a locked data directory succeeded")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open: %v, want ErrLocked naming %s and pid %d", err, dir, os.Getpid())
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	_ = again.Close()
}

// TestOpenLockSurvivesDeletedLockFile: the lock file deleted or replaced
// under an open store does not free the directory: Open still fails with
// ErrLocked, and frees it once the store is closed.
func TestOpenLockSurvivesDeletedLockFile(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(dir, LockFileName)
	if err := os.Remove(lockFile); err != nil {
		t.Fatal(err)
	}
	second, err := Open(context.Background(), dir)
	if err == nil {
		_ = second.Close()
		_ = first.Close()
		t.Fatal("Open succeeded after the lock file was deleted under an open store")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "lock file was removed") {
		t.Fatalf("Open with the lock file deleted: %v", err)
	}
	// A replacement file, unlocked, changes nothing either.
	if err := os.WriteFile(lockFile, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if second, err := Open(context.Background(), dir); !errors.Is(err, ErrLocked) {
		if second != nil {
			_ = second.Close()
		}
		_ = first.Close()
		t.Fatalf("Open with the lock file replaced: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	_ = again.Close()
}

// TestOpenRestrictsModes: a data directory made 0755 and database files left
// 0644 (by another tool or an older version) are narrowed to 0700 and 0600,
// and a new database is created 0600 with its -wal and -shm files, whatever
// the umask lets through.
func TestOpenRestrictsModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		db, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		// A write makes sure the -wal and -shm files exist.
		if _, err := db.write.Exec(`CREATE TABLE IF NOT EXISTS t (k TEXT)`); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		want := map[string]os.FileMode{dir: 0o700}
		for _, f := range []string{FileName, FileName + "-wal", FileName + "-shm", LockFileName} {
			want[filepath.Join(dir, f)] = 0o600
		}
		for path, mode := range want {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if info.Mode().Perm() != mode {
				t.Errorf("%s: %s has mode %v, want %v", when, filepath.Base(path), info.Mode().Perm(), mode)
			}
		}
	}
	check("first open")
	for _, f := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		_ = os.Chmod(filepath.Join(dir, f), 0o644)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check("reopen")
}
