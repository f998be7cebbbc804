package okta

// MaxReason is the longest outcome reason the System Log keeps, for the
// external tests.
const MaxReason = maxReason
