//go:build !unix

package store

import (
	"errors"
	"os"
)

// tryLock: the reference backend locks its data directory with flock, which
// only Unix-like systems have; elsewhere it refuses to open a store rather
// than run unguarded.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("locking a data directory needs a Unix-like system")
}
