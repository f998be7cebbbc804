package okta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// System Log event types of provisioning.
const (
	EventPush           = "application.provision.user.push"
	EventPushProfile    = "application.provision.user.push_profile"
	EventDeactivate     = "application.provision.user.deactivate"
	EventReactivate     = "application.provision.user.reactivate"
	EventConnectionTest = "application.provision.connection.test"
)

type actorJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	AlternateID string  `json:"alternateId"`
	DisplayName string  `json:"displayName"`
	DetailEntry *string `json:"detailEntry"`
}

type targetJSON = actorJSON

type logEventJSON struct {
	Actor           actorJSON       `json:"actor"`
	Client          map[string]any  `json:"client"`
	DisplayMessage  string          `json:"displayMessage"`
	EventType       string          `json:"eventType"`
	LegacyEventType *string         `json:"legacyEventType"`
	Outcome         outcomeJSON     `json:"outcome"`
	Published       string          `json:"published"`
	Severity        string          `json:"severity"`
	Target          []targetJSON    `json:"target"`
	Transaction     map[string]any  `json:"transaction"`
	DebugContext    map[string]any  `json:"debugContext"`
	UUID            string          `json:"uuid"`
	Version         string          `json:"version"`
	Request         map[string]any  `json:"request"`
	AuthContext     json.RawMessage `json:"authenticationContext"`
	SecurityContext json.RawMessage `json:"securityContext"`
}

type outcomeJSON struct {
	Result string  `json:"result"`
	Reason *string `json:"reason"`
}

// tokenActor is the actor of an action taken with an API token: Okta names
// the admin who holds the token; here there is no admin user, so the actor
// says it is an admin's API token and which one.
func tokenActor(p store.OktaAPIToken) actorJSON {
	return actorJSON{ID: p.ID, Type: "ApiToken", AlternateID: p.Name, DisplayName: "Admin (API token " + p.Name + ")"}
}

// systemActor is the actor of the engine's own events, as in Okta.
var systemActor = actorJSON{ID: "system", Type: "SystemPrincipal", AlternateID: "system@okta.com", DisplayName: "Okta System"}

func appTarget(a store.OktaApp) targetJSON {
	return targetJSON{ID: a.ID, Type: "AppInstance", AlternateID: a.Label, DisplayName: a.Label}
}

func userTarget(u store.OktaUser) targetJSON {
	return targetJSON{ID: u.ID, Type: "User", AlternateID: u.Login(),
		DisplayName: strings.TrimSpace(u.Profile["firstName"] + " " + u.Profile["lastName"])}
}

type eventInput struct {
	eventType, message, result, reason string
	actor                              actorJSON
	targets                            []targetJSON
	debug                              map[string]string
}

// event builds a System Log event published now.
func (e *Engine) event(in eventInput) store.OktaLogEvent {
	uuid := newUUID()
	published := e.now().UTC().Format(timeFormat)
	severity := "INFO"
	if in.result != "SUCCESS" {
		severity = "WARN"
	}
	debug := map[string]any{}
	for k, v := range in.debug {
		debug[k] = v
	}
	body := logEventJSON{
		Actor:          in.actor,
		Client:         map[string]any{"userAgent": nil, "zone": "null", "device": nil, "id": nil, "ipAddress": nil, "geographicalContext": nil},
		DisplayMessage: in.message, EventType: in.eventType,
		Outcome:   outcomeJSON{Result: in.result, Reason: nullable(in.reason)},
		Published: published, Severity: severity, Target: in.targets,
		Transaction:  map[string]any{"type": "JOB", "id": "job" + e.newID(), "detail": map[string]any{}},
		DebugContext: map[string]any{"debugData": debug},
		UUID:         uuid, Version: "0",
		Request:         map[string]any{"ipChain": []any{}},
		AuthContext:     json.RawMessage(`{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":null}`),
		SecurityContext: json.RawMessage(`{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":null}`),
	}
	raw, _ := json.Marshal(body)
	ids := make([]string, 0, len(in.targets))
	for _, t := range in.targets {
		ids = append(ids, t.ID)
	}
	return store.OktaLogEvent{UUID: uuid, Published: published, EventType: in.eventType, Outcome: in.result,
		ActorID: in.actor.ID, TargetIDs: ids, Body: raw}
}

// newUUID returns a random (version 4) UUID, the form of Okta's event ids.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func logFilterAttr(a string) bool {
	switch a {
	case "eventType", "outcome.result", "actor.id", "target.id", "uuid", "published":
		return true
	}
	return false
}

// parseTime accepts Okta's ISO 8601 timestamps.
func parseTime(v string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return "", err
	}
	return t.UTC().Format(timeFormat), nil
}

// listLogs is GET /api/v1/logs: events in [since, until), filtered, paged
// with after, oldest first unless sortOrder=DESCENDING.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 100
	var causes []string
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			causes = append(causes, "limit: must be a positive integer")
		}
		limit = min(max(n, 1), 1000)
	}
	now := s.now()
	until := "9999-12-31T23:59:59.999Z"
	since := now.Add(-7 * 24 * time.Hour).UTC().Format(timeFormat)
	if v := q.Get("until"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			causes = append(causes, "until: must be an ISO 8601 timestamp")
		}
		until = t
	}
	if v := q.Get("since"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			causes = append(causes, "since: must be an ISO 8601 timestamp")
		}
		since = t
	}
	var afterSeq int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			causes = append(causes, "after: not a cursor this API returned")
		}
		afterSeq = n
	}
	desc := false
	switch q.Get("sortOrder") {
	case "", "ASCENDING":
	case "DESCENDING":
		desc = true
	default:
		causes = append(causes, "sortOrder: must be ASCENDING or DESCENDING")
	}
	var expr filterExpr
	if v := q.Get("filter"); v != "" {
		var err error
		expr, err = parseFilter(v, logFilterAttr)
		if err != nil {
			causes = append(causes, "filter: "+err.Error())
		}
	}
	if len(causes) > 0 {
		return apiErr(http.StatusBadRequest, "E0000001", "Api validation failed: logs", causes...)
	}
	ctx := r.Context()
	var sr *search
	if expr != nil {
		var end func()
		var err error
		if sr, end, err = s.startSearch(r, "filter"); err != nil {
			return err
		}
		defer end()
		ctx = sr.ctx
	}
	events, err := s.store.OktaLogEvents(ctx, store.OktaLogQuery{Since: since, Until: until, AfterSeq: afterSeq,
		Limit: limit + 1, Descending: desc, Match: func(e store.OktaLogEvent) bool {
			if expr == nil || !sr.row(int64(len(e.Body))) {
				return expr == nil
			}
			return expr.eval(func(attr string) (string, bool) { return eventAttr(e, attr) }, sr.meter) && !sr.over() ||
				targetMatch(expr, e, sr)
		}})
	if sr != nil {
		err = sr.result(err)
	}
	if err != nil {
		return notFound(err, "LogEvent", "")
	}
	writePage(w, r, events, limit, func(e store.OktaLogEvent) string { return strconv.FormatInt(e.Seq, 10) },
		func(e store.OktaLogEvent) json.RawMessage { return e.Body })
	return nil
}

// targetMatch evaluates the filter once per target id, so that
// `target.id eq "x"` matches an event with x among its targets.
func targetMatch(expr filterExpr, e store.OktaLogEvent, sr *search) bool {
	return slices.ContainsFunc(e.TargetIDs, func(id string) bool {
		return !sr.over() && expr.eval(func(attr string) (string, bool) {
			if attr == "target.id" {
				return id, true
			}
			return eventAttr(e, attr)
		}, sr.meter) && !sr.over()
	})
}

// eventAttr is the value of an event attribute a filter may name, other
// than target.id.
func eventAttr(e store.OktaLogEvent, attr string) (string, bool) {
	switch attr {
	case "eventType":
		return e.EventType, true
	case "outcome.result":
		return e.Outcome, true
	case "actor.id":
		return e.ActorID, true
	case "uuid":
		return e.UUID, true
	case "published":
		return e.Published, true
	}
	return "", false
}

// waitProvisioning blocks until the provisioning queue is idle or the
// timeout passes (504), then reports the queue's counts.
func (s *Server) waitProvisioning(w http.ResponseWriter, r *http.Request) error {
	timeout := 30 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			return apiErr(http.StatusBadRequest, "E0000001", "Api validation failed: timeout", "timeout: a duration such as 30s, at most 10m")
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	waitErr := s.engine.WaitIdle(ctx)
	failed, err := s.store.OktaFailedCount(r.Context())
	if err != nil {
		return notFound(err, "Provisioning", "")
	}
	status := http.StatusOK
	if waitErr != nil {
		status = http.StatusGatewayTimeout
	}
	writeJSON(w, status, map[string]int{"pending": s.engine.Pending(), "failed": failed})
	return nil
}
