package okta

import (
	"context"
	"errors"
	"net/http"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// search is one listing that evaluates a client's search, filter or q: the
// work it does (bytes decoded and compared, internal/cost) is charged to
// meter, and once the budget is spent the store's walk is cancelled, so
// that the request costs at most its budget, then answers 400.
type search struct {
	meter  *cost.Meter
	ctx    context.Context
	cancel context.CancelFunc
	param  string // the parameter a refusal names: search, filter or q
}

// startSearch takes one of the gate's slots (one per two cores, shared with
// the Wrike face's heavy requests: a burst of searches leaves the other
// cores to lookups and provisioning), waiting up to the gate's wait for it,
// and returns the search and the function that ends it.
func (s *Server) startSearch(r *http.Request, param string) (*search, func(), error) {
	// The meter paces on the client's context, not the walk's: ending the
	// walk (past the budget, or at the end) must not cut the rest that
	// Close takes before it gives the slot back.
	ctx, cancel := context.WithCancel(r.Context())
	sr := &search{meter: s.gate.Meter(r.Context(), s.searchBudget), ctx: ctx, cancel: cancel, param: param}
	if err := sr.meter.Hold(); err != nil {
		cancel()
		if errors.Is(err, cost.ErrBusy) {
			return nil, nil, apiErr(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.",
				param+": another search is running; retry in a moment, or look the user up with profile.login eq, which is answered at once")
		}
		return nil, nil, err
	}
	return sr, func() { sr.meter.Close(); cancel() }, nil
}

// row is called for each row the walk examines, with its cost: the search
// rests as long as it works (cost.Meter.Pace), so that it takes at most
// half a core and leaves the rest to lookups and provisioning. false past
// the budget, or once the client left.
func (sr *search) row(n int64) bool {
	if sr.meter.Pace() != nil {
		sr.cancel()
		return false
	}
	return sr.charge(n)
}

// charge spends n units; false (and the walk cancelled) past the budget.
func (sr *search) charge(n int64) bool {
	if sr.meter.Charge(n) {
		return true
	}
	sr.cancel()
	return false
}

// over reports a spent budget, cancelling the walk.
func (sr *search) over() bool {
	if sr.meter.Over() {
		sr.cancel()
		return true
	}
	return false
}

// result is the listing's answer to err, the walk's error: Okta's 400
// E0000031 naming the limit when the budget was spent.
func (sr *search) result(err error) error {
	if sr.meter.Over() {
		return apiErr(http.StatusBadRequest, "E0000031", "Invalid search criteria.",
			sr.param+": "+sr.meter.Detail("the search")+"; narrow it with profile.login eq, which is answered from the index, or use fewer and shorter co clauses")
	}
	return err
}

// prefixCost is comparing q with the start of a value.
func prefixCost(v, q string) int64 { return cost.Compare("sw", len(v), len(q)) }

// profileCost is decoding a stored profile: its JSON is about the keys and
// values plus quotes and separators.
func profileCost(p map[string]string) int64 {
	n := 2
	for k, v := range p {
		n += len(k) + len(v) + 6
	}
	return int64(n) * cost.DecodeWeight
}
