package okta

// MaxReason is the longest outcome reason the System Log keeps, for the
// external tests.
const MaxReason = maxReason

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
