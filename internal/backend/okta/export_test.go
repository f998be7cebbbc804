package okta

import "time"

// MaxReason is the longest outcome reason the System Log keeps, for the
// external tests.
const MaxReason = maxReason

// MaxProfileLength is the limit of a profile attribute, for the external tests.
var MaxProfileLength = maxProfileLength

// ProfileAttributes lists the base profile's attributes.
func ProfileAttributes() []string { return sortedKeys(profileAttributes) }

// HoldSearches takes every search slot, as running searches would, and
// makes a search wait d for one; release frees them.
func (s *Server) HoldSearches(d time.Duration) (release func()) {
	s.searchWait = d
	for range cap(s.searches) {
		s.searches <- struct{}{}
	}
	return func() {
		for range cap(s.searches) {
			<-s.searches
		}
	}
}

// SetBeforeRun makes every engine call f with each task before it runs
// (nil: nothing), until the test ends.
func SetBeforeRun(t interface{ Cleanup(func()) }, f func(appID, userID string)) {
	if f == nil {
		beforeRun.Store(nil)
		return
	}
	beforeRun.Store(&f)
	t.Cleanup(func() { beforeRun.Store(nil) })
}
