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

// lockDir takes the data directory's lock, or fails with ErrLocked naming
// the process that holds it. The lock is the operating system's (flock on
// Unix), so it ends with the process however the process ends, SIGKILL
// included; a PID left in the file by a dead process means nothing.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(filepath.Clean(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if held {
		raw, _ := os.ReadFile(filepath.Clean(path))
		_ = f.Close()
		holder := "another process"
		if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
			holder = "process " + strconv.Itoa(pid)
		}
		return nil, fmt.Errorf("%w: %s is held by %s (lock file %s); stop that process first", ErrLocked, dir, holder, path)
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: write lock file: %w", err)
	}
	return f, nil
}
