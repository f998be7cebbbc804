package okta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
)

// Engine is the provisioning engine. Each (app, user) pair has at most one
// durable task in the store; the engine keeps it in an in-memory queue so
// that a user is provisioned by one worker at a time, while different users
// are provisioned concurrently by a pool of workers.
//
// A task does not carry the change it was queued for: a worker reads the
// current Okta state and brings the downstream account in line with it. So
// the changes made while a user's task waits (an outage, a backoff) coalesce
// into the user's latest desired state, a task re-run after a crash does no
// harm (the lookup by userName finds an account created by a run whose
// completion was not recorded), and nothing is provisioned twice.
//
// A transient failure (network error, timeout, 429, 5xx) is retried with
// capped exponential backoff and jitter, honouring Retry-After, for as long
// as the retry horizon; the wait is stored with the task, so a restart
// resumes it. A permanent failure, or the horizon passed, leaves the task
// FAILED: listed by the tasks API until retried or settled by a new change.
type Engine struct {
	engineConfig

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	cond   *sync.Cond
	queues map[string]*userQueue
	ready  []string
	// active counts the queues ready or being run; the others wait for a
	// retry time.
	active  int
	idle    chan struct{}
	settled chan struct{}
	stopped bool
}

// queueState is where a user's queue is: ready for a worker, being run, or
// waiting for its retry time.
type queueState int

const (
	queueReady queueState = iota
	queueBusy
	queueWaiting
)

type userQueue struct {
	appID, userID string
	state         queueState
	// dirty: a change arrived while a worker ran the queue.
	dirty bool
	// stopTimer cancels the retry timer while waiting.
	stopTimer func() bool
}

// retryPolicy is the backoff of transient failures: base doubling per
// attempt up to maxWait, each wait between half and all of that (jitter),
// and no retry that would start later than horizon after the first failure
// of the current retry window.
type retryPolicy struct {
	base, maxWait, horizon time.Duration
}

// Default retry policy, documented in DESIGN.md.
const (
	DefaultRetryBackoff    = time.Second
	DefaultRetryMaxBackoff = 15 * time.Minute
	DefaultRetryHorizon    = 24 * time.Hour
)

// wait is the pause before the attempt after attempt (1-based), at least
// the service provider's Retry-After (up to maxWait). It is total over its
// inputs: any attempt number (a task stored with hundreds of attempts, a
// count below 1), any Retry-After (negative or beyond the cap) and any
// policy (a base above the cap, zero or negative values) give a wait in
// [0, maxWait], never sooner than min(Retry-After, maxWait).
func (p retryPolicy) wait(attempt int, retryAfter time.Duration) time.Duration {
	capped := max(p.maxWait, 0)
	d := capped
	// base·2^(attempt-1) without overflow: the doubling stops at the cap.
	if shift := max(attempt, 1) - 1; p.base <= 0 {
		d = 0
	} else if shift < 63 && p.base <= capped>>shift {
		d = p.base << shift
	}
	d = d/2 + rand.N(d/2+1) //nolint:gosec // jitter needs no cryptographic randomness
	if retryAfter > 0 {
		floor := min(retryAfter, capped)
		// Up to a tenth more, so that the clients told to come back at the
		// same moment do not all come back at once.
		jitter := rand.N(floor/10 + 1) //nolint:gosec // as above
		d = max(d, floor+min(jitter, capped-floor))
	}
	return min(d, capped)
}

type engineConfig struct {
	store     *store.OktaStore
	log       *slog.Logger
	now       func() time.Time
	afterFunc clock.AfterFunc
	newID     func() string
	scim      *scimClient
	workers   int
	retry     retryPolicy
	// held: no attempt until release.
	held bool
}

func startEngine(ctx context.Context, cfg engineConfig) (*Engine, error) {
	if cfg.workers <= 0 {
		cfg.workers = 16
	}
	if cfg.retry.base <= 0 {
		cfg.retry.base = DefaultRetryBackoff
	}
	if cfg.retry.maxWait <= 0 {
		cfg.retry.maxWait = DefaultRetryMaxBackoff
	}
	cfg.retry.maxWait = max(cfg.retry.maxWait, cfg.retry.base)
	if cfg.retry.horizon <= 0 {
		cfg.retry.horizon = DefaultRetryHorizon
	}
	if cfg.afterFunc == nil {
		cfg.afterFunc = clock.RealAfterFunc
	}
	e := &Engine{engineConfig: cfg, queues: map[string]*userQueue{}, idle: make(chan struct{}), settled: make(chan struct{})}
	close(e.idle)
	close(e.settled)
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
	for _, q := range e.queues {
		if q.stopTimer != nil {
			q.stopTimer()
		}
	}
	e.cancel()
	e.cond.Broadcast()
	e.mu.Unlock()
	e.wg.Wait()
}

// release ends the hold of an engine started held.
func (e *Engine) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held = false
	e.cond.Broadcast()
}

// Pending is the number of users with a queued task, including those
// waiting to retry.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.queues)
}

// WaitIdle blocks until no provisioning task is queued (every push has
// succeeded or failed for good) or ctx ends.
func (e *Engine) WaitIdle(ctx context.Context) error {
	return e.waitFor(ctx, func() chan struct{} { return e.idle })
}

// WaitSettled blocks until no task is ready or running: every queued task,
// if any, waits for its retry time. A test on a fake clock calls it before
// moving the clock to the next retry.
func (e *Engine) WaitSettled(ctx context.Context) error {
	return e.waitFor(ctx, func() chan struct{} { return e.settled })
}

func (e *Engine) waitFor(ctx context.Context, ch func() chan struct{}) error {
	e.mu.Lock()
	c := ch()
	e.mu.Unlock()
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// setState moves a queue (new when it is not in e.queues yet) to state,
// keeping the counts and the idle and settled signals; e.mu is held.
func (e *Engine) setState(key string, q *userQueue, state queueState) {
	if _, ok := e.queues[key]; !ok {
		if len(e.queues) == 0 {
			e.idle = make(chan struct{})
		}
		e.queues[key] = q
		q.state = queueWaiting // counted as inactive until below
	}
	wasActive, isActive := q.state != queueWaiting, state != queueWaiting
	q.state = state
	switch {
	case isActive && !wasActive:
		if e.active == 0 {
			e.settled = make(chan struct{})
		}
		e.active++
	case wasActive && !isActive:
		e.active--
		if e.active == 0 {
			close(e.settled)
		}
	}
	if state == queueReady {
		e.ready = append(e.ready, key)
		e.cond.Signal()
	}
}

// remove drops a settled queue; e.mu is held.
func (e *Engine) remove(key string, q *userQueue) {
	e.setState(key, q, queueWaiting)
	delete(e.queues, key)
	if len(e.queues) == 0 {
		close(e.idle)
	}
}

// enqueue hands durably stored PENDING tasks to the workers. A task already
// waiting for its retry time keeps waiting (its next attempt pushes the
// latest state), unless the store cleared its retry time (a manual retry).
func (e *Engine) enqueue(tasks []store.OktaTask) {
	if len(tasks) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range tasks {
		key := t.AppID + "/" + t.UserID
		q := e.queues[key]
		switch {
		case q == nil:
			e.setState(key, &userQueue{appID: t.AppID, userID: t.UserID}, queueReady)
		case q.state == queueBusy:
			q.dirty = true
		case q.state == queueWaiting && t.NotBefore == "" && q.stopTimer != nil && q.stopTimer():
			q.stopTimer = nil
			e.setState(key, q, queueReady)
		}
	}
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		for (len(e.ready) == 0 || e.held) && !e.stopped {
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
		q.dirty = false
		e.setState(key, q, queueBusy)
		e.mu.Unlock()
		e.runRecovering(key, q)
	}
}

// beforeRun, when set, is called with each task before it runs: the tests
// make it panic to prove that a panic costs one task, not the process.
var beforeRun atomic.Pointer[func(appID, userID string)]

// runRecovering runs a task; a panic while handling it is that task's
// failure, not the process's end.
func (e *Engine) runRecovering(key string, q *userQueue) {
	defer func() {
		if r := recover(); r != nil {
			e.recordPanic(key, q, r)
		}
	}()
	if f := beforeRun.Load(); f != nil {
		(*f)(q.appID, q.userID)
	}
	e.run(key, q)
}

// recordPanic records a panic as the task's permanent failure: FAILED
// (another attempt would most likely panic the same way, so it is not
// retried on its own, nor resumed at start-up), with the reason in the
// System Log and the tasks API, and the stack in the process log. A Retry
// or a new change to the user queues it again.
func (e *Engine) recordPanic(key string, q *userQueue, r any) {
	reason := scrub(fmt.Sprintf("internal error: provisioning panicked: %v", r))
	e.log.Error("provisioning task panicked", slog.String("app_id", q.appID), slog.String("user_id", q.userID),
		slog.String("reason", reason), slog.String("stack", string(debug.Stack())))
	if e.ctx.Err() != nil {
		return
	}
	t, err := e.store.OktaTask(e.ctx, q.appID, q.userID)
	if errors.Is(err, store.ErrNotFound) {
		e.finish(key, q)
		return
	}
	v, verr := e.store.OktaSyncView(e.ctx, q.appID, q.userID)
	if err != nil || verr != nil {
		e.log.Error("record provisioning panic", slog.Any("error", errors.Join(err, verr)))
		e.later(key, q, e.retry.base)
		return
	}
	act, _ := decide(v)
	if act == (action{}) {
		act = actPushProfile
	}
	now := e.ts()
	o := store.OktaTaskOutcome{AppID: q.appID, UserID: q.userID, Version: t.Version, Status: store.TaskFailed,
		Operation: act.operation, Error: reason, At: now}
	if v.AppFound && v.UserFound {
		st := v.State
		st.AppID, st.UserID, st.SyncState = q.appID, q.userID, "ERROR"
		if st.Status == "" {
			st.Status, st.StatusChanged = "STAGED", now
		}
		o.State = st
		o.Events = []store.OktaLogEvent{e.event(eventInput{eventType: act.eventType, message: act.message, result: "FAILURE",
			reason: reason, actor: systemActor, targets: []targetJSON{userTarget(v.User), appTarget(v.App)},
			debug: map[string]string{"attempt": strconv.Itoa(t.Attempts + 1), "externalId": st.ExternalID}})}
	}
	status, err := e.store.SaveOktaTaskOutcome(e.ctx, o)
	switch {
	case err != nil:
		e.log.Error("record provisioning panic", slog.Any("error", err))
		e.later(key, q, e.retry.base)
	case status == store.TaskPending:
		// A change arrived meanwhile: it runs again (a panic again is
		// recorded again).
		e.mu.Lock()
		e.setState(key, q, queueReady)
		e.mu.Unlock()
	default:
		e.finish(key, q)
	}
}

// run makes one attempt at a user's task and reschedules the queue.
func (e *Engine) run(key string, q *userQueue) {
	t, err := e.store.OktaTask(e.ctx, q.appID, q.userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.finish(key, q)
		return
	case err != nil:
		if e.ctx.Err() == nil {
			e.log.Error("read provisioning task", slog.Any("error", err))
			e.later(key, q, e.retry.base)
		}
		return
	case t.Status != store.TaskPending:
		e.finish(key, q)
		return
	}
	now := e.now()
	if nb, err := time.Parse(timeFormat, t.NotBefore); err == nil && nb.After(now) {
		e.later(key, q, nb.Sub(now))
		return
	}
	res := e.sync(e.ctx, q.appID, q.userID, t.Attempts+1)
	if e.ctx.Err() != nil {
		return // stopping: the task stays in the store and resumes on restart
	}
	if res.internal {
		e.later(key, q, e.retry.base)
		return
	}
	o := store.OktaTaskOutcome{AppID: q.appID, UserID: q.userID, Version: t.Version, Events: res.events, State: res.state,
		UserDeleted: res.userDeleted}
	var wait time.Duration
	if res.err == nil {
		o.Done = true
	} else {
		now = e.now()
		o.Operation, o.Error, o.At = res.act.operation, res.err.reason, now.UTC().Format(timeFormat)
		since, err := time.Parse(timeFormat, t.RetrySince)
		if err != nil {
			since = now
		}
		wait = e.retry.wait(t.Attempts+1, res.err.retryAfter)
		if res.err.retriable && now.Add(wait).Sub(since) <= e.retry.horizon {
			o.Status, o.NotBefore = store.TaskPending, now.Add(wait).UTC().Format(timeFormat)
			if res.act == actPush || res.act == actReactivate && res.state.RemoteActive {
				// The state records the try (outcome): offboarding looks
				// the account up, or deactivates one that may have been
				// reactivated.
				if o.State.SyncState == "" {
					o.State.SyncState = "SYNCING"
				}
			} else {
				o.State = store.OktaAppUserState{} // unchanged while retrying
			}
		} else {
			o.Status = store.TaskFailed
			o.State.SyncState = "ERROR"
		}
	}
	status, err := e.store.SaveOktaTaskOutcome(e.ctx, o)
	if err == nil && res.userDeleted && res.err == nil && res.act == actDeactivate {
		e.relink(q.appID, q.userID, res.state.ExternalID)
	}
	switch {
	case err != nil:
		if e.ctx.Err() == nil {
			// The outcome could not be recorded; try the task again later.
			e.log.Error("record provisioning outcome", slog.Any("error", err))
			e.later(key, q, e.retry.base)
		}
	case status == store.TaskPending && o.Status == store.TaskPending:
		e.later(key, q, wait)
	case status == store.TaskPending:
		// A change arrived during the attempt: settle the latest state now.
		e.mu.Lock()
		e.setState(key, q, queueReady)
		e.mu.Unlock()
	default:
		e.finish(key, q)
	}
}

// relink queues again the users linked to the account of a deleted user
// the engine just deactivated: one created with the deleted user's login
// may have linked that account while the deactivation was on its way, and
// its next pass makes it active again.
func (e *Engine) relink(appID, userID, externalID string) {
	if externalID == "" {
		return
	}
	tasks, err := e.store.RequeueOktaLinked(e.ctx, appID, externalID, userID, e.ts())
	if err != nil {
		e.log.Error("requeue users linked to a deactivated account", slog.Any("error", err))
		return
	}
	e.enqueue(tasks)
}

// finish drops a queue whose task is done or FAILED, unless a change
// arrived meanwhile.
func (e *Engine) finish(key string, q *userQueue) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if q.dirty {
		q.dirty = false
		e.setState(key, q, queueReady)
		return
	}
	e.remove(key, q)
}

// later gives the queue back to the workers after d.
func (e *Engine) later(key string, q *userQueue, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return
	}
	// A change that arrived meanwhile does not shorten the wait: the next
	// attempt pushes the latest state.
	q.dirty = false
	e.setState(key, q, queueWaiting)
	q.stopTimer = e.afterFunc(d, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.stopped || q.stopTimer == nil {
			return
		}
		q.stopTimer = nil
		e.setState(key, q, queueReady)
	})
}
