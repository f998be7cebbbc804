// Package okta is the reference backend's Okta face: a subset of Okta's
// Management API (users, groups, apps, the provisioning connection and
// features, app assignments, the System Log) with Okta's own paths, JSON shapes,
// errors and rate-limit headers, and a provisioning engine that pushes
// assigned users to a SCIM 2.0 service provider the way Okta does, logging
// every attempt to the System Log.
package okta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/credential"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/serve"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// Config configures the Okta face. Only Store is required.
type Config struct {
	// Store is the face's persistence: store.NewOktaStore on the backend's DB.
	Store *store.OktaStore
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Clock and NewID make time and ids deterministic in tests. NewID returns
	// the random part of an id; the face adds Okta's prefixes (00u, 00g, 0oa).
	Clock func() time.Time
	NewID func() string
	// RateLimit is the number of authenticated API requests allowed per
	// minute across the org (default 6000); beyond it the face answers 429
	// E0000047. Requests refused with 401 spend none of it.
	RateLimit int
	// AfterFunc schedules the engine's retries; nil uses real timers. With
	// Clock, a test moves time on a fake clock (internal/clock).
	AfterFunc clock.AfterFunc
	// Workers is the number of concurrent provisioning workers (default 16).
	Workers int
	// RetryBackoff is the wait before the first retry of a transient
	// failure, doubled for each next one (default 1s); each wait is between
	// half and all of that (jitter), and at least the service provider's
	// Retry-After.
	RetryBackoff time.Duration
	// RetryMaxBackoff caps each wait, Retry-After included (default 15m).
	RetryMaxBackoff time.Duration
	// RetryHorizon is how long transient failures of a task are retried,
	// from its first failure, before the task is FAILED (default 24h).
	RetryHorizon time.Duration
	// CallTimeout bounds each SCIM call (default 10s).
	CallTimeout time.Duration
	// HTTPClient speaks to SCIM service providers; nil uses a pooled client.
	HTTPClient *http.Client
	// SearchBudget bounds the work of one listing that evaluates a
	// client's search, filter or q, in internal/cost's units, bytes
	// examined (zero: cost.DefaultBudget).
	SearchBudget int64
	// Gate admits the heavy work of such listings, shared with the other
	// face (nil: a gate of the face's own, cost.NewGate's defaults).
	Gate *cost.Gate
	// HoldProvisioning starts the engine with its queue loaded but no
	// attempt made until StartProvisioning: a process whose Wrike face is
	// the SCIM target calls it once that face listens, so that a restart
	// spends no attempt, and logs no failure, on its own start.
	HoldProvisioning bool
}

// Server is the Okta face: an http.Handler plus the provisioning engine.
type Server struct {
	store    *store.OktaStore
	log      *slog.Logger
	now      func() time.Time
	newID    func() string
	limiter  *rateLimiter
	engine   *Engine
	scim     *scimClient
	mux      *http.ServeMux
	everyone store.OktaGroup

	searchBudget int64
	// gate admits the heavy work of searches (internal/cost), one per two
	// cores across both faces.
	gate *cost.Gate
}

// New builds the Okta face on its store, creates the built-in Everyone group
// if needed and starts the provisioning engine, which resumes queued tasks.
func New(ctx context.Context, cfg Config) (*Server, error) {
	st := cfg.Store
	if st == nil {
		return nil, errors.New("okta: a store is required")
	}
	s := &Server{store: st, log: cfg.Logger, now: cfg.Clock, newID: cfg.NewID,
		searchBudget: cfg.SearchBudget, gate: cfg.Gate}
	if s.gate == nil {
		s.gate = cost.NewGate(cost.GateConfig{})
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = randomID
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = 6000
	}
	s.limiter = newRateLimiter(cfg.RateLimit, time.Minute, s.now)
	s.scim = newSCIMClient(cfg.HTTPClient, cfg.Workers, cfg.CallTimeout, s.now)
	now := s.timestamp()
	everyone, err := st.EnsureOktaEveryoneGroup(ctx, store.OktaGroup{
		ID: "00g" + s.newID(), Name: "Everyone", Description: "All users in your organization",
		Created: now, LastUpdated: now, LastMembershipUpdated: now,
	})
	if err != nil {
		return nil, fmt.Errorf("okta: create the Everyone group: %w", err)
	}
	s.everyone = everyone
	if err := s.canonicalLogins(ctx); err != nil {
		return nil, err
	}
	s.engine, err = startEngine(ctx, engineConfig{
		store: st, log: s.log, now: s.now, afterFunc: cfg.AfterFunc, newID: s.newID, scim: s.scim, workers: cfg.Workers,
		retry: retryPolicy{base: cfg.RetryBackoff, maxWait: cfg.RetryMaxBackoff, horizon: cfg.RetryHorizon},
		held:  cfg.HoldProvisioning,
	})
	if err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// StartProvisioning lets an engine started with HoldProvisioning make its
// attempts; without it, it does nothing.
func (s *Server) StartProvisioning() { s.engine.release() }

// Engine is the face's provisioning engine.
func (s *Server) Engine() *Engine { return s.engine }

// Close stops the provisioning engine; queued tasks stay in the store and
// resume on the next start.
func (s *Server) Close() error {
	s.engine.stop()
	return nil
}

// EveryoneGroupID is the id of the built-in Everyone group.
func (s *Server) EveryoneGroupID() string { return s.everyone.ID }

// CreateAPIToken creates an SSWS API token and returns its value, which is not
// stored and cannot be shown again.
func (s *Server) CreateAPIToken(ctx context.Context, name string) (string, error) {
	token, err := NewAPIToken()
	if err != nil {
		return "", err
	}
	if err := s.store.CreateOktaAPIToken(ctx, apiTokenRecord(name, token, s.newID(), s.timestamp())); err != nil {
		return "", err
	}
	return token, nil
}

// NewAPIToken returns a new API token, "00" and 40 random base64url
// characters like Okta's, valid once AddAPIToken (or, for a store no Server
// runs on, APITokenRecord and the store) has its hash.
func NewAPIToken() (string, error) {
	return credential.New("00", 30), nil
}

// APITokenRecord is what the store keeps of an API token named name: its hash.
func APITokenRecord(name, token string, created time.Time) store.OktaAPIToken {
	return apiTokenRecord(name, token, randomID(), created.UTC().Format(timeFormat))
}

func apiTokenRecord(name, token, id, created string) store.OktaAPIToken {
	return store.OktaAPIToken{ID: "00T" + id, Name: name, TokenHash: hashToken(token), Created: created}
}

// AddAPIToken makes a token chosen by the caller valid (stored as a hash),
// so that tests and development can know it in advance. Adding a token that
// is already valid changes nothing.
func (s *Server) AddAPIToken(ctx context.Context, name, token string) error {
	if len(token) < 20 {
		return errors.New("okta: an API token must have at least 20 characters")
	}
	err := s.store.CreateOktaAPIToken(ctx, apiTokenRecord(name, token, s.newID(), s.timestamp()))
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// APITokenCount reports how many API tokens exist, so a first start can
// create one.
func (s *Server) APITokenCount(ctx context.Context) (int, error) {
	return s.store.OktaAPITokenCount(ctx)
}

func hashToken(token string) string {
	sum := credential.Hash(token)
	return hex.EncodeToString(sum[:])
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomID returns 17 random base62 characters, which after a three-letter
// prefix make an id as long as Okta's.
func randomID() string {
	b := make([]byte, 17)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// timeFormat is Okta's timestamp format.
const timeFormat = "2006-01-02T15:04:05.000Z"

func (s *Server) timestamp() string { return s.now().UTC().Format(timeFormat) }

type ctxKey int

const principalKey ctxKey = 0

// principal is the API token a request authenticated with.
func principal(ctx context.Context) store.OktaAPIToken {
	t, _ := ctx.Value(principalKey).(store.OktaAPIToken)
	return t
}

// ServeHTTP applies SSWS authentication and the rate limit, then routes. A
// panic becomes a 500 E0000009 (fail) so that one bad request cannot stop
// the server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := "req" + s.newID()
	w.Header().Set("X-Okta-Request-Id", reqID)
	sw := serve.NewRecorder(w)
	defer func() {
		serve.Recovered(recover(), sw, func(p any) {
			s.log.ErrorContext(r.Context(), "handler panicked", "panic", p, "request_id", reqID, "method", r.Method, "path", r.URL.Path)
		}, func(w http.ResponseWriter) {
			s.fail(w, r, errInternal)
		})
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "okta request", slog.String("request_id", reqID),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.Status),
			slog.Duration("duration", time.Since(start)))
	}()
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "SSWS") || token == "" {
		s.fail(sw, r, errInvalidToken)
		return
	}
	t, err := s.store.OktaAPITokenByHash(r.Context(), hashToken(strings.TrimSpace(token)))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = errInvalidToken
		}
		s.fail(sw, r, err)
		return
	}
	// Only authenticated requests spend the org's budget: a flood of bad
	// tokens must not lock out the callers who hold a good one.
	if !s.limiter.take(sw.Header()) {
		s.fail(sw, r, errRateLimited)
		return
	}
	s.mux.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), principalKey, t)))
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	paths := map[string]bool{}
	handle := func(pattern string, h handler) {
		s.mux.HandleFunc(pattern, s.handle(h))
		_, path, _ := strings.Cut(pattern, " ")
		paths[path] = true
	}
	handle("POST /api/v1/users", s.createUser)
	handle("GET /api/v1/users", s.listUsers)
	handle("GET /api/v1/users/{id}", s.getUser)
	handle("POST /api/v1/users/{id}", s.partialUpdateUser)
	handle("PUT /api/v1/users/{id}", s.replaceUser)
	handle("DELETE /api/v1/users/{id}", s.deleteUser)
	handle("GET /api/v1/users/{id}/groups", s.listUserGroups)
	handle("POST /api/v1/users/{id}/lifecycle/activate", s.lifecycle("activate"))
	handle("POST /api/v1/users/{id}/lifecycle/deactivate", s.lifecycle("deactivate"))
	handle("POST /api/v1/users/{id}/lifecycle/reactivate", s.lifecycle("reactivate"))
	handle("POST /api/v1/users/{id}/lifecycle/suspend", s.lifecycle("suspend"))
	handle("POST /api/v1/users/{id}/lifecycle/unsuspend", s.lifecycle("unsuspend"))

	handle("POST /api/v1/groups", s.createGroup)
	handle("GET /api/v1/groups", s.listGroups)
	handle("GET /api/v1/groups/{id}", s.getGroup)
	handle("PUT /api/v1/groups/{id}", s.updateGroup)
	handle("DELETE /api/v1/groups/{id}", s.deleteGroup)
	handle("GET /api/v1/groups/{id}/users", s.listGroupUsers)
	handle("PUT /api/v1/groups/{id}/users/{userId}", s.setGroupMember(true))
	handle("DELETE /api/v1/groups/{id}/users/{userId}", s.setGroupMember(false))

	handle("POST /api/v1/apps", s.createApp)
	handle("GET /api/v1/apps", s.listApps)
	handle("GET /api/v1/apps/{appId}", s.getApp)
	handle("DELETE /api/v1/apps/{appId}", s.deleteApp)
	handle("POST /api/v1/apps/{appId}/lifecycle/activate", s.appLifecycle("ACTIVE"))
	handle("POST /api/v1/apps/{appId}/lifecycle/deactivate", s.appLifecycle("INACTIVE"))
	handle("GET /api/v1/apps/{appId}/connections/default", s.getConnection)
	handle("POST /api/v1/apps/{appId}/connections/default", s.setConnection)
	handle("POST /api/v1/apps/{appId}/connections/default/lifecycle/activate", s.connectionLifecycle(true))
	handle("POST /api/v1/apps/{appId}/connections/default/lifecycle/deactivate", s.connectionLifecycle(false))
	handle("GET /api/v1/apps/{appId}/features", s.listFeatures)
	handle("GET /api/v1/apps/{appId}/features/{name}", s.getFeature)
	handle("PUT /api/v1/apps/{appId}/features/{name}", s.updateFeature)
	handle("GET /api/v1/apps/{appId}/groups", s.listAppGroups)
	handle("GET /api/v1/apps/{appId}/groups/{groupId}", s.getAppGroup)
	handle("PUT /api/v1/apps/{appId}/groups/{groupId}", s.putAppGroup)
	handle("DELETE /api/v1/apps/{appId}/groups/{groupId}", s.deleteAppGroup)
	handle("GET /api/v1/apps/{appId}/users", s.listAppUsers)
	handle("POST /api/v1/apps/{appId}/users", s.assignUser)
	handle("GET /api/v1/apps/{appId}/users/{userId}", s.getAppUser)
	handle("POST /api/v1/apps/{appId}/users/{userId}", s.updateAppUser)
	handle("DELETE /api/v1/apps/{appId}/users/{userId}", s.unassignUser)

	handle("GET /api/v1/apps/{appId}/provisioning/tasks", s.listTasks)
	handle("POST /api/v1/apps/{appId}/provisioning/tasks/lifecycle/retry", s.retryTasks)
	handle("POST /api/v1/apps/{appId}/provisioning/tasks/{taskId}/lifecycle/retry", s.retryTask)

	handle("GET /api/v1/api-tokens", s.listAPITokens)
	handle("GET /api/v1/api-tokens/{id}", s.getAPIToken)
	handle("DELETE /api/v1/api-tokens/{id}", s.revokeAPIToken)

	handle("GET /api/v1/logs", s.listLogs)
	handle("GET /api/v1/_backend/provisioning/wait", s.waitProvisioning)

	// Okta answers an unsupported method with E0000022 and an unknown path
	// with E0000007, both in its error body.
	for p := range paths {
		s.mux.HandleFunc(p, s.handle(noMethod))
	}
	s.mux.HandleFunc("/", s.handle(noRoute))
}

// baseURL is the org URL as the client reached it, for _links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// canonicalLogins gives users stored before login keys were canonical
// their canonical keys (see store.OktaStore.CanonicalOktaLogins).
func (s *Server) canonicalLogins(ctx context.Context) error {
	n, err := s.store.CanonicalOktaLogins(ctx)
	if err != nil {
		return fmt.Errorf("okta: canonical login keys: %w", err)
	}
	if n > 0 {
		s.log.Info("login keys made canonical", "users", n)
	}
	return nil
}
