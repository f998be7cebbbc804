package okta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// Engine is the provisioning engine. Tasks are durable rows in the store;
// the engine keeps one in-memory queue per (app, user) so that a user's
// tasks run one batch at a time and in order, while different users are
// provisioned concurrently by a pool of workers.
//
// A task does not carry the change it was queued for: a worker reads the
// current Okta state and brings the downstream account in line with it. So
// every queued task of a user is settled by one pass, a task re-run after a
// crash does no harm (the lookup by userName finds an account created by a
// run whose completion was not recorded), and nothing is provisioned twice.
type Engine struct {
	store       Store
	log         *slog.Logger
	now         func() time.Time
	newID       func() string
	scim        *scimClient
	maxAttempts int
	backoff     time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	queues  map[string]*userQueue
	ready   []string
	pending int
	idle    chan struct{}
	stopped bool
}

type userQueue struct {
	appID, userID string
	tasks         []store.OktaTask
	// busy: a worker or a retry timer owns the queue; queued: it is in ready.
	busy, queued bool
}

type engineConfig struct {
	store       Store
	log         *slog.Logger
	now         func() time.Time
	newID       func() string
	scim        *scimClient
	workers     int
	maxAttempts int
	backoff     time.Duration
}

func startEngine(ctx context.Context, cfg engineConfig) (*Engine, error) {
	if cfg.workers <= 0 {
		cfg.workers = 16
	}
	if cfg.maxAttempts <= 0 {
		cfg.maxAttempts = 5
	}
	if cfg.backoff <= 0 {
		cfg.backoff = 200 * time.Millisecond
	}
	e := &Engine{store: cfg.store, log: cfg.log, now: cfg.now, newID: cfg.newID, scim: cfg.scim,
		maxAttempts: cfg.maxAttempts, backoff: cfg.backoff, queues: map[string]*userQueue{}, idle: make(chan struct{})}
	close(e.idle)
	e.cond = sync.NewCond(&e.mu)
	// The engine outlives the request that built it; only stop ends it.
	e.ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	tasks, err := cfg.store.PendingOktaTasks(ctx)
	if err != nil {
		return nil, fmt.Errorf("okta: load provisioning tasks: %w", err)
	}
	e.enqueue(tasks)
	if len(tasks) > 0 {
		e.log.Info("resuming provisioning tasks", slog.Int("tasks", len(tasks)))
	}
	for range cfg.workers {
		e.wg.Add(1)
		go e.worker()
	}
	return e, nil
}

func (e *Engine) stop() {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return
	}
	e.stopped = true
	e.cancel()
	e.cond.Broadcast()
	e.mu.Unlock()
	e.wg.Wait()
}

// Pending is the number of queued tasks, including those waiting to retry.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pending
}

// WaitIdle blocks until no provisioning task is queued (every push has
// succeeded or finally failed) or ctx ends.
func (e *Engine) WaitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		if e.pending == 0 {
			e.mu.Unlock()
			return nil
		}
		ch := e.idle
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// enqueue hands durably stored tasks to the workers.
func (e *Engine) enqueue(tasks []store.OktaTask) {
	if len(tasks) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == 0 {
		e.idle = make(chan struct{})
	}
	for _, t := range tasks {
		key := t.AppID + "/" + t.UserID
		q := e.queues[key]
		if q == nil {
			q = &userQueue{appID: t.AppID, userID: t.UserID}
			e.queues[key] = q
		}
		q.tasks = append(q.tasks, t)
		e.pending++
		if !q.busy && !q.queued {
			q.queued = true
			e.ready = append(e.ready, key)
			e.cond.Signal()
		}
	}
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		for len(e.ready) == 0 && !e.stopped {
			e.cond.Wait()
		}
		if e.stopped {
			e.mu.Unlock()
			return
		}
		key := e.ready[0]
		e.ready[0] = ""
		e.ready = e.ready[1:]
		q := e.queues[key]
		q.queued, q.busy = false, true
		batch := append([]store.OktaTask(nil), q.tasks...)
		e.mu.Unlock()
		e.run(key, q, batch)
	}
}

// run settles one batch of a user's tasks and reschedules the queue.
func (e *Engine) run(key string, q *userQueue, batch []store.OktaTask) {
	attempts := 0
	var notBefore string
	for _, t := range batch {
		attempts = max(attempts, t.Attempts)
		notBefore = max(notBefore, t.NotBefore)
	}
	if nb, err := time.Parse(timeFormat, notBefore); err == nil {
		if d := nb.Sub(e.now()); d > 0 {
			e.later(key, q, d)
			return
		}
	}
	res := e.sync(e.ctx, q.appID, q.userID, attempts+1)
	if e.ctx.Err() != nil {
		return // stopping: the tasks stay in the store and resume on restart
	}
	seqs := make([]int64, len(batch))
	for i, t := range batch {
		seqs[i] = t.Seq
	}
	if res.retryIn > 0 {
		nb := e.now().Add(res.retryIn).UTC().Format(timeFormat)
		if err := e.store.RetryOktaTasks(e.ctx, seqs, attempts+1, nb, res.state, res.events); err != nil {
			e.log.Error("record provisioning retry", slog.Any("error", err))
		}
		e.mu.Lock()
		for i := range batch {
			q.tasks[i].Attempts, q.tasks[i].NotBefore = attempts+1, nb
		}
		e.mu.Unlock()
		e.later(key, q, res.retryIn)
		return
	}
	if err := e.store.FinishOktaTasks(e.ctx, seqs, res.state, res.events); err != nil {
		// The outcome could not be recorded; try the batch again later.
		e.log.Error("record provisioning outcome", slog.Any("error", err))
		e.later(key, q, e.backoff)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	q.tasks = q.tasks[len(batch):]
	e.pending -= len(batch)
	q.busy = false
	if len(q.tasks) > 0 {
		q.queued = true
		e.ready = append(e.ready, key)
		e.cond.Signal()
	} else {
		delete(e.queues, key)
	}
	if e.pending == 0 {
		close(e.idle)
	}
}

// later gives the queue back to the workers after d.
func (e *Engine) later(key string, q *userQueue, d time.Duration) {
	time.AfterFunc(d, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.stopped {
			return
		}
		q.busy, q.queued = false, true
		e.ready = append(e.ready, key)
		e.cond.Signal()
	})
}

// syncResult is the outcome of one pass: the account state and events to
// record, and when not zero, the wait before a retry.
type syncResult struct {
	state   store.OktaAppUserState
	events  []store.OktaLogEvent
	retryIn time.Duration
}

// action is one provisioning operation and its System Log event type.
type action struct {
	eventType, message string
}

var (
	actPush        = action{EventPush, "Push new user to external application"}
	actPushProfile = action{EventPushProfile, "Push user profile update to external application"}
	actDeactivate  = action{EventDeactivate, "Deactivate user in external application"}
	actReactivate  = action{EventReactivate, "Reactivate user in external application"}
)

// pushable reports whether Okta provisions a user in this status.
func pushable(status string) bool {
	switch status {
	case "STAGED", "DEPROVISIONED", "SUSPENDED":
		return false
	}
	return true
}

// sync brings one user's downstream account in line with Okta: created
// (or linked) and pushed when assigned, its profile pushed when it changed,
// deactivated when unassigned or deactivated in Okta, reactivated when
// assigned again. Each capability obeys its USER_PROVISIONING toggle.
func (e *Engine) sync(ctx context.Context, appID, userID string, attempt int) syncResult {
	v, err := e.store.OktaSyncView(ctx, appID, userID)
	if err != nil {
		e.log.Error("read provisioning state", slog.Any("error", err))
		return syncResult{retryIn: e.backoff}
	}
	if !v.AppFound || !v.UserFound {
		return syncResult{} // deleted since: nothing left to provision
	}
	a, u := v.App, v.User
	st := v.State
	st.AppID, st.UserID = appID, userID
	if st.Status == "" {
		st.Status, st.StatusChanged = "STAGED", e.ts()
	}
	assigned := v.Assigned && pushable(u.Status)
	linked := st.ExternalID != ""
	idle := func() syncResult {
		if !v.Assigned && !v.HasState {
			return syncResult{}
		}
		if st.SyncState == "" || st.SyncState == "SYNCING" {
			st.SyncState = "DISABLED"
		}
		return syncResult{state: st}
	}
	if a.Status != "ACTIVE" || a.ConnStatus != "ENABLED" || a.ConnBaseURL == "" {
		return idle()
	}
	var act action
	switch {
	case assigned && !linked:
		if !a.FeatCreate {
			return idle()
		}
		act = actPush
	case assigned && !st.RemoteActive:
		// Reactivation belongs to "Deactivate users" in Okta.
		if !a.FeatDeactivate {
			return idle()
		}
		act = actReactivate
	case assigned:
		if !a.FeatUpdate {
			return idle()
		}
		act = actPushProfile
	case linked && st.RemoteActive:
		if !a.FeatDeactivate {
			return idle()
		}
		act = actDeactivate
	default:
		return idle()
	}

	base, token := a.ConnBaseURL, a.ConnToken
	user := func(id string) map[string]any { return scimUser(u, v.UserType, id, true) }
	var callErr error
	switch act {
	case actPush:
		var id string
		id, callErr = e.scim.findByUserName(ctx, base, token, u.Login())
		if callErr == nil {
			if id == "" {
				id, callErr = e.scim.create(ctx, base, token, user(""))
			} else {
				_, callErr = e.scim.replace(ctx, base, token, id, user(id))
			}
		}
		if callErr == nil {
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
				return idle()
			}
			return e.recreate(ctx, v, st, attempt)
		}
	case actDeactivate:
		_, callErr = e.scim.deactivate(ctx, base, token, st.ExternalID)
	}
	return e.outcome(v, st, act, attempt, callErr)
}

// recreate pushes the user again after the linked account turned out to be
// gone downstream.
func (e *Engine) recreate(ctx context.Context, v store.OktaSyncView, st store.OktaAppUserState, attempt int) syncResult {
	v.State, v.HasState = st, true
	v.State.Status = "STAGED"
	a := v.App
	id, err := e.scim.findByUserName(ctx, a.ConnBaseURL, a.ConnToken, v.User.Login())
	if err == nil {
		if id == "" {
			id, err = e.scim.create(ctx, a.ConnBaseURL, a.ConnToken, scimUser(v.User, v.UserType, "", true))
		} else {
			_, err = e.scim.replace(ctx, a.ConnBaseURL, a.ConnToken, id, scimUser(v.User, v.UserType, id, true))
		}
	}
	if err == nil {
		st.ExternalID = id
	}
	return e.outcome(v, st, actPush, attempt, err)
}

func (e *Engine) ts() string { return e.now().UTC().Format(timeFormat) }

// outcome records an attempt: its event, the account state, and whether to
// retry.
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
		st.SyncState, st.LastSync = "SYNCHRONIZED", now
		return syncResult{state: st, events: []store.OktaLogEvent{e.event(in)}}
	}
	var ce *callError
	if !errors.As(err, &ce) {
		ce = &callError{reason: err.Error()}
	}
	in.result, in.reason = "FAILURE", ce.reason
	if ce.status != 0 {
		in.debug["httpStatus"] = strconv.Itoa(ce.status)
	}
	if ce.scimType != "" {
		in.debug["scimType"] = ce.scimType
	}
	ev := e.event(in)
	e.log.Warn("provisioning attempt failed", slog.String("event_type", act.eventType), slog.String("app_id", v.App.ID),
		slog.String("user_id", v.User.ID), slog.Int("attempt", attempt), slog.String("reason", ce.reason))
	if ce.retriable && attempt < e.maxAttempts {
		wait := e.backoff << (attempt - 1)
		wait = max(wait, ce.retryAfter)
		return syncResult{state: store.OktaAppUserState{}, events: []store.OktaLogEvent{ev}, retryIn: wait}
	}
	st.SyncState = "ERROR"
	return syncResult{state: st, events: []store.OktaLogEvent{ev}}
}
