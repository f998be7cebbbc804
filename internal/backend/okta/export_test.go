package okta

import (
	"context"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// MaxReason is the longest outcome reason the System Log keeps, for the
// external tests.
const MaxReason = maxReason

// MaxProfileLength is the limit of a profile attribute, for the external tests.
var MaxProfileLength = maxProfileLength

// ProfileAttributes lists the base profile's attributes.
func ProfileAttributes() []string { return sortedKeys(profileAttributes) }

// HoldSearches gives the face a gate of one slot whose requests wait d for
// it, and takes the slot, as a running search would; release frees it.
func (s *Server) HoldSearches(d time.Duration) (release func()) {
	s.gate = cost.NewGate(cost.GateConfig{Slots: 1, Wait: d})
	m := s.gate.Meter(context.Background(), 0)
	if err := m.Hold(); err != nil {
		panic(err)
	}
	return m.Close
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
