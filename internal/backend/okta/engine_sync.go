package okta

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// syncResult is the outcome of one pass: the account state and events to
// record, the operation attempted, and its failure if any. internal means
// the pass could not read Okta's state and must run again.
type syncResult struct {
	state    store.OktaAppUserState
	events   []store.OktaLogEvent
	act      action
	err      *callError
	internal bool
	// userDeleted: the user was deleted in Okta and is kept only until its
	// accounts are deactivated.
	userDeleted bool
}

// action is one provisioning operation: its System Log event type and
// message, and its name in the tasks API.
type action struct {
	eventType, message, operation string
}

var (
	actPush        = action{EventPush, "Push new user to external application", "CREATE"}
	actPushProfile = action{EventPushProfile, "Push user profile update to external application", "UPDATE"}
	actDeactivate  = action{EventDeactivate, "Deactivate user in external application", "DEACTIVATE"}
	actReactivate  = action{EventReactivate, "Reactivate user in external application", "REACTIVATE"}
)

// pushable reports whether Okta provisions a user in this status.
func pushable(status string) bool {
	switch status {
	case "STAGED", "DEPROVISIONED", "SUSPENDED", store.UserDeleted:
		return false
	}
	return true
}

// decide is the operation that brings a user's downstream account in line
// with Okta, and whether its capability and the connection allow it now.
func decide(v store.OktaSyncView) (act action, allowed bool) {
	a, st := v.App, v.State
	assigned := v.Assigned && pushable(v.User.Status)
	linked := st.ExternalID != ""
	switch {
	case assigned && !linked:
		act, allowed = actPush, a.FeatCreate
	case assigned && !st.RemoteActive:
		// Reactivation belongs to "Deactivate users" in Okta.
		act, allowed = actReactivate, a.FeatDeactivate
	case assigned:
		act, allowed = actPushProfile, a.FeatUpdate
	case linked && st.RemoteActive:
		act, allowed = actDeactivate, a.FeatDeactivate
	case !linked && st.CreateTried:
		// A create whose answer was lost (a timeout, a dropped connection,
		// a 2xx that did not show the user) may have made the account all
		// the same. The deactivation looks it up by userName.
		act, allowed = actDeactivate, a.FeatDeactivate
	default:
		return action{}, false
	}
	return act, allowed && provisioning(a)
}

// provisioning reports whether the app pushes at all: the app active and
// its connection enabled.
func provisioning(a store.OktaApp) bool {
	return a.Status == "ACTIVE" && a.ConnStatus == "ENABLED" && a.ConnBaseURL != ""
}

// nextOperation is the tasks API's operation of a task not attempted yet.
func (e *Engine) nextOperation(ctx context.Context, appID, userID string) string {
	v, err := e.store.OktaSyncView(ctx, appID, userID)
	if err != nil || !v.AppFound || !v.UserFound {
		return ""
	}
	act, _ := decide(v)
	return act.operation
}

// sync brings one user's downstream account in line with Okta: created
// (or linked) and pushed when assigned, its profile pushed when it changed,
// deactivated when unassigned or deactivated in Okta, reactivated when
// assigned again. Each capability obeys its USER_PROVISIONING toggle.
func (e *Engine) sync(ctx context.Context, appID, userID string, attempt int) syncResult {
	v, err := e.store.OktaSyncView(ctx, appID, userID)
	if err != nil {
		e.log.Error("read provisioning state", slog.Any("error", err))
		return syncResult{internal: true}
	}
	if !v.AppFound || !v.UserFound {
		return syncResult{} // deleted since: nothing left to provision
	}
	res := e.settle(ctx, v, appID, userID, attempt)
	res.userDeleted = v.User.Status == store.UserDeleted
	return res
}

// settle is sync's pass over the state it read.
func (e *Engine) settle(ctx context.Context, v store.OktaSyncView, appID, userID string, attempt int) syncResult {
	a, u := v.App, v.User
	st := v.State
	st.AppID, st.UserID = appID, userID
	if st.Status == "" {
		st.Status, st.StatusChanged = "STAGED", e.ts()
	}
	act, allowed := decide(v)
	if !allowed {
		// Nothing to do, or not now: the sync state says whether a change
		// waits for the connection or a capability (activating the
		// connection queues those users again).
		if !v.Assigned && !v.HasState {
			return syncResult{}
		}
		if (act != action{} && !provisioning(a)) || st.SyncState == "" || st.SyncState == "SYNCING" || st.SyncState == "ERROR" {
			st.SyncState = "DISABLED"
		}
		return syncResult{state: st}
	}

	base, token := a.ConnBaseURL, a.ConnToken
	user := func(id string) map[string]any { return scimUser(u, v.UserType, id, true) }
	var callErr error
	switch act {
	case actPush:
		var id string
		if id, callErr = e.push(ctx, v); callErr == nil {
			st.ExternalID = id
		}
	case actPushProfile, actReactivate:
		var found bool
		found, callErr = e.scim.get(ctx, base, token, st.ExternalID)
		if callErr == nil && found {
			found, callErr = e.scim.replace(ctx, base, token, st.ExternalID, user(st.ExternalID))
		}
		if callErr == nil && !found {
			// The account was deleted downstream: provision it again.
			st.ExternalID, st.RemoteActive = "", false
			if !a.FeatCreate {
				st.SyncState = "DISABLED"
				return syncResult{state: st}
			}
			return e.recreate(ctx, v, st, attempt)
		}
	case actDeactivate:
		if v.User.Status == store.UserDeleted {
			// A user created since with the deleted one's login may hold
			// the account now: it is theirs, not to deactivate.
			taken, err := e.store.OktaExternalIDLinked(ctx, appID, st.ExternalID, userID)
			if err != nil {
				e.log.Error("read provisioning state", slog.Any("error", err))
				return syncResult{internal: true}
			}
			if taken {
				st.ExternalID, st.RemoteActive, st.SyncState = "", false, "SYNCHRONIZED"
				return syncResult{state: st}
			}
		}
		if st.ExternalID == "" {
			found := e.lookUp(ctx, v, userID)
			if found.internal {
				return syncResult{internal: true}
			}
			if found.err != nil {
				return e.outcome(v, st, act, attempt, found.err)
			}
			st.CreateTried = false
			if found.id == "" {
				// No account was made: nothing to deactivate.
				st.Status, st.StatusChanged, st.SyncState = "DEPROVISIONED", e.ts(), "SYNCHRONIZED"
				return syncResult{state: st}
			}
			st.ExternalID, st.RemoteActive = found.id, true
		}
		_, callErr = e.scim.deactivate(ctx, base, token, st.ExternalID)
	}
	return e.outcome(v, st, act, attempt, callErr)
}

// lookedUp is the account a user never confirmed pushed may have: its id
// ("" when none), the failed lookup, or internal when the store could not
// be read.
type lookedUp struct {
	id       string
	err      error
	internal bool
}

// lookUp finds by userName the account of a user whose create was never
// confirmed; one linked to another user (created since with a deleted
// user's login) is theirs, not this user's.
func (e *Engine) lookUp(ctx context.Context, v store.OktaSyncView, userID string) lookedUp {
	id, err := e.scim.findByUserName(ctx, v.App.ConnBaseURL, v.App.ConnToken, v.User.Login())
	if err != nil || id == "" {
		return lookedUp{err: err}
	}
	taken, err := e.store.OktaExternalIDLinked(ctx, v.App.ID, id, userID)
	if err != nil {
		e.log.Error("read provisioning state", slog.Any("error", err))
		return lookedUp{internal: true}
	}
	if taken {
		return lookedUp{}
	}
	return lookedUp{id: id}
}

// recreate pushes the user again after the linked account turned out to be
// gone downstream.
func (e *Engine) recreate(ctx context.Context, v store.OktaSyncView, st store.OktaAppUserState, attempt int) syncResult {
	v.State, v.HasState = st, true
	v.State.Status = "STAGED"
	id, err := e.push(ctx, v)
	if err == nil {
		st.ExternalID = id
	}
	return e.outcome(v, st, actPush, attempt, err)
}

// push is Okta's create: the account is looked up by userName, created
// when there is none and linked (its attributes replaced) when there is one.
// A create refused with 409 because the account appeared meanwhile (made
// by another client) is resolved by looking it up again and linking it.
func (e *Engine) push(ctx context.Context, v store.OktaSyncView) (string, error) {
	base, token, login := v.App.ConnBaseURL, v.App.ConnToken, v.User.Login()
	id, err := e.scim.findByUserName(ctx, base, token, login)
	if err == nil && id == "" {
		id, err = e.scim.create(ctx, base, token, scimUser(v.User, v.UserType, "", true))
		var ce *callError
		if !errors.As(err, &ce) || ce.status != http.StatusConflict {
			return id, err
		}
		if id, _ = e.scim.findByUserName(ctx, base, token, login); id == "" {
			return "", err
		}
		err = nil
	}
	if err != nil {
		return "", err
	}
	_, err = e.scim.replace(ctx, base, token, id, scimUser(v.User, v.UserType, id, true))
	return id, err
}

func (e *Engine) ts() string { return e.now().UTC().Format(timeFormat) }

// outcome records an attempt: its event and the account state.
func (e *Engine) outcome(v store.OktaSyncView, st store.OktaAppUserState, act action, attempt int, err error) syncResult {
	in := eventInput{eventType: act.eventType, message: act.message, result: "SUCCESS", actor: systemActor,
		targets: []targetJSON{userTarget(v.User), appTarget(v.App)},
		debug:   map[string]string{"attempt": strconv.Itoa(attempt), "externalId": st.ExternalID}}
	now := e.ts()
	if err == nil {
		prev := st.Status
		switch act {
		case actDeactivate:
			st.RemoteActive, st.Status = false, "DEPROVISIONED"
		default:
			st.RemoteActive, st.Status = true, "PROVISIONED"
		}
		if st.Status != prev {
			st.StatusChanged = now
		}
		st.SyncState, st.LastSync, st.CreateTried = "SYNCHRONIZED", now, false
		return syncResult{state: st, events: []store.OktaLogEvent{e.event(in)}, act: act}
	}
	if act == actPush {
		// The create may have been made though no answer showed it.
		st.CreateTried = true
	}
	var ce *callError
	if !errors.As(err, &ce) {
		ce = &callError{reason: scrub(err.Error(), v.App.ConnToken)}
	}
	if act == actReactivate && ce.status == 0 {
		// As with a create: a reactivation with no answer, or an answer
		// that did not show the user, may have been made all the same, so
		// the account counts as active and a later unassignment
		// deactivates it.
		st.RemoteActive = true
	}
	in.result, in.reason = "FAILURE", ce.reason
	if ce.status != 0 {
		in.debug["httpStatus"] = strconv.Itoa(ce.status)
	}
	if ce.scimType != "" {
		in.debug["scimType"] = ce.scimType
	}
	e.log.Warn("provisioning attempt failed", slog.String("event_type", act.eventType), slog.String("app_id", v.App.ID),
		slog.String("user_id", v.User.ID), slog.Int("attempt", attempt), slog.Bool("retriable", ce.retriable),
		slog.String("reason", ce.reason))
	return syncResult{state: st, events: []store.OktaLogEvent{e.event(in)}, act: act, err: ce}
}
