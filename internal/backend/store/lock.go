package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFileName is the file in the data directory that one process at a
// time holds an exclusive lock on; it contains that process's PID.
const LockFileName = "wrike-backend.lock"

// ErrLocked reports a data directory another process holds. Two processes on
// one database would each keep their own view of the tokens and the
// provisioning queue: a token revoked by one would still be accepted by the
// other.
var ErrLocked = errors.New("data directory in use")

// dirLock is a data directory held by this process: the directory itself
// and its lock file, each under an exclusive lock.
type dirLock struct {
	dir, file *os.File
}

// Close releases both locks.
func (l *dirLock) Close() error { return errors.Join(l.file.Close(), l.dir.Close()) }

// lockDir takes the data directory's lock, or fails with ErrLocked naming
// the process that holds it. The lock is the operating system's (flock on
// Unix), so it ends with the process however the process ends, SIGKILL
// included; a PID left in the file by a dead process means nothing.
//
// The lock that counts is on the directory itself, which cannot be deleted
// or replaced under a running server while it holds the database: the lock
// file can be, and a lock on a deleted file guards nothing (a second process
// would create a new file and lock that). The lock file is still locked, for
// a server of an earlier version that locks only the file, and still names
// the holder's PID for the message a second process prints.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockFileName)
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("store: open data directory: %w", err)
	}
	held, err := tryLock(d)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("store: lock %s: %w", dir, err)
	}
	if held {
		_ = d.Close()
		return nil, lockedError(dir, path)
	}
	f, err := os.OpenFile(filepath.Clean(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	l := &dirLock{dir: d, file: f}
	held, err = tryLock(f)
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if held {
		_ = l.Close()
		return nil, lockedError(dir, path)
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("store: write lock file: %w", err)
	}
	return l, nil
}

// lockedError names the process holding dir, as its lock file says.
func lockedError(dir, path string) error {
	holder := "another process"
	raw, err := os.ReadFile(filepath.Clean(path))
	if pid, perr := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && perr == nil {
		holder = "process " + strconv.Itoa(pid)
	} else if errors.Is(err, os.ErrNotExist) {
		holder = "another process (its lock file was removed)"
	}
	return fmt.Errorf("%w: %s is held by %s (lock file %s); stop that process first", ErrLocked, dir, holder, path)
}
