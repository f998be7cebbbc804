package wrike

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/serve"
)

// maxBody bounds request bodies on both APIs; larger bodies get 413.
const maxBody = 1 << 20

func (s *Server) routes() {
	m := http.NewServeMux()

	// Admin API. A method-less pattern beside each path answers unsupported
	// methods with the API's own 405 body instead of the mux's plain text.
	m.HandleFunc("GET /api/v4/approved_domains", s.admin(s.listDomains))
	m.HandleFunc("POST /api/v4/approved_domains", s.admin(s.createDomain))
	m.HandleFunc("/api/v4/approved_domains", s.admin(methodNotFound))
	m.HandleFunc("GET /api/v4/approved_domains/{idOrDomain}", s.admin(s.getDomain))
	m.HandleFunc("DELETE /api/v4/approved_domains/{idOrDomain}", s.admin(s.deleteDomain))
	m.HandleFunc("/api/v4/approved_domains/{idOrDomain}", s.admin(methodNotFound))

	m.HandleFunc("GET /api/v4/api_apps", s.admin(s.listAPIApps))
	m.HandleFunc("POST /api/v4/api_apps", s.admin(s.createAPIApp))
	m.HandleFunc("/api/v4/api_apps", s.admin(methodNotFound))
	m.HandleFunc("GET /api/v4/api_apps/{id}", s.admin(s.getAPIApp))
	m.HandleFunc("PUT /api/v4/api_apps/{id}", s.admin(s.updateAPIApp))
	m.HandleFunc("DELETE /api/v4/api_apps/{id}", s.admin(s.deleteAPIApp))
	m.HandleFunc("/api/v4/api_apps/{id}", s.admin(methodNotFound))
	m.HandleFunc("POST /api/v4/api_apps/{id}/regenerate_token", s.admin(s.regenerateAPIAppToken))
	m.HandleFunc("/api/v4/api_apps/{id}/regenerate_token", s.admin(methodNotFound))

	m.HandleFunc("GET /api/v4/scim_integrations", s.admin(s.listIntegrations))
	m.HandleFunc("/api/v4/scim_integrations", s.admin(methodNotFound))
	m.HandleFunc("GET /api/v4/scim_integrations/{provider}", s.admin(s.getIntegration))
	m.HandleFunc("PUT /api/v4/scim_integrations/{provider}", s.admin(s.updateIntegration))
	m.HandleFunc("/api/v4/scim_integrations/{provider}", s.admin(methodNotFound))

	m.HandleFunc("GET /api/v4/account", s.admin(s.getAccount))
	m.HandleFunc("/api/v4/account", s.admin(methodNotFound))
	m.HandleFunc("GET /api/v4/users", s.admin(s.listUsers))
	m.HandleFunc("/api/v4/users", s.admin(methodNotFound))
	m.HandleFunc("/api/v4/", s.admin(resourceNotFound))

	s.scimRoutes(m)
	s.mux = m
}

// ServeHTTP gives every request an id (the client's X-Request-Id, else a
// new one), logs it when it ends and answers a panic with a 500 in the
// error document of the API called (fail), so that one bad request cannot
// stop the server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		id = nextRequestID()
		// Kept on the request, which the handlers see, for their log lines.
		r.Header["X-Request-Id"] = []string{id}
	}
	w.Header()["X-Request-Id"] = []string{id}
	rec := serve.NewRecorder(w)
	defer func() {
		serve.Recovered(recover(), rec, func(p any) {
			s.logger(r).Error("handler panicked", "panic", p, "method", r.Method, "path", r.URL.Path)
		}, func(w http.ResponseWriter) {
			s.fail(w, r, errPanicked)
		})
		// One line per request is for debugging: at the default level
		// (info) the log keeps to starts, stops and failures.
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.Status), slog.Duration("duration", time.Since(start)))
		}
	}()
	s.mux.ServeHTTP(rec, r)
}

// errPanicked is the error a recovered panic answers with: a 500 that says
// nothing of the panic, which Recovered has logged.
var errPanicked = errors.New("handler panicked")

// fail writes err as the error answer of the API r called: a SCIM Error
// document on /scim/..., the admin API's error body anywhere else.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/scim/") {
		s.scimFail(w, r, err)
		return
	}
	s.adminFail(w, r, err)
}

// logger returns the face's logger with the request's id.
func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.log.With("request_id", r.Header.Get("X-Request-Id"))
}

var (
	requestIDPrefix = func() string {
		var b [4]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}()
	requestCounter atomic.Uint64
)

// nextRequestID is cheap (no syscall per request) and unique per process run.
func nextRequestID() string {
	return requestIDPrefix + "-" + strconv.FormatUint(requestCounter.Add(1), 36)
}

// baseURL is the externally visible scheme://host of the face.
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// scimURL is the SCIM base URL of one identity provider's integration.
func (s *Server) scimURL(r *http.Request, provider string) string {
	return s.baseURL(r) + "/scim/" + provider + "/v2"
}
