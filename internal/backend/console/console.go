// Package console is the reference backend's browser console: server-rendered
// pages, embedded in the binary, that show one face (Wrike or Okta) the way
// its admin screens do. A person signs in with the face's own token (the
// Wrike admin token, the Okta API token); the console keeps it in a
// server-side session and calls the face's http.Handler in-process with it,
// so a page shows and changes exactly what the API allows that token.
package console

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/credential"
)

// Prefix is the path the console is served under on each face.
const Prefix = "/console/"

const (
	// sessionIdle ends a session not used for this long.
	sessionIdle = 8 * time.Hour
	// loginLinkTTL is how long a one-time login link can be used.
	loginLinkTTL = 15 * time.Minute
	// maxSessions bounds the sessions (and pending login links) kept in
	// memory; the oldest is dropped past it.
	maxSessions = 1000
	// maxForm bounds a form's body.
	maxForm = 64 << 10
)

//go:embed templates/*.html
var templateFS embed.FS

// Face says which face a console shows.
type Face string

// The two faces.
const (
	Wrike Face = "wrike"
	Okta  Face = "okta"
)

// Config configures a console.
type Config struct {
	Face Face
	// API is the face's handler; the console calls it in-process.
	API http.Handler
	// Clock is injectable for tests; nil is time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
}

// Console serves one face's pages under Prefix.
type Console struct {
	face   Face
	api    http.Handler
	now    func() time.Time
	log    *slog.Logger
	pages  map[string]*template.Template
	mux    *http.ServeMux
	cookie string

	mu       sync.Mutex
	sessions map[string]*session
	links    map[string]loginLink
}

type session struct {
	token   string
	csrf    string
	flash   flash
	expires time.Time
}

// flash is a message shown once, on the page a form redirects to.
type flash struct {
	Error  string
	Notice string
	// Secret is a token shown this once (a created or regenerated API app's).
	Secret string
}

type loginLink struct {
	token   string
	expires time.Time
}

// New builds a console for cfg.Face.
func New(cfg Config) (*Console, error) {
	if cfg.Face != Wrike && cfg.Face != Okta {
		return nil, fmt.Errorf("console: unknown face %q", cfg.Face)
	}
	c := &Console{
		face:     cfg.Face,
		api:      cfg.API,
		now:      cfg.Clock,
		log:      cfg.Logger,
		sessions: map[string]*session{},
		links:    map[string]loginLink{},
		// The faces usually share a host and cookies ignore ports: one
		// name per face keeps the two sessions apart.
		cookie: string(cfg.Face) + "_console",
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if c.pages, err = parsePages(cfg.Face); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

func parsePages(face Face) (map[string]*template.Template, error) {
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, e := range names {
		name := e.Name()
		if name == "layout.html" || (!strings.HasPrefix(name, string(face)+"_") && name != "login.html") {
			continue
		}
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("console: %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

// Handler routes Prefix to the console and everything else to face.
func (c *Console) Handler(face http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == strings.TrimSuffix(Prefix, "/") || strings.HasPrefix(r.URL.Path, Prefix) {
			c.ServeHTTP(w, r)
			return
		}
		face.ServeHTTP(w, r)
	})
}

// ServeHTTP serves the console's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No page is cached: one may hold a token shown once.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer a browser sends "Origin: null"
	// on form posts, and the login form checks the origin.
	h.Set("Referrer-Policy", "same-origin")
	// Forms are small; a larger body is refused before it is parsed.
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c.mux.ServeHTTP(w, r)
}

// pageFunc renders one page for a signed-in session, or acts on a form.
type pageFunc func(w http.ResponseWriter, r *http.Request, s *call) error

func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.login)
	m.HandleFunc("GET /console/login/{nonce}", c.useLoginLink)
	m.HandleFunc("POST /console/login-links", c.createLoginLink)
	m.HandleFunc("POST /console/logout", c.signedIn(func(w http.ResponseWriter, r *http.Request, s *call) error {
		c.mu.Lock()
		delete(c.sessions, s.id)
		c.mu.Unlock()
		http.SetCookie(w, c.sessionCookie(r, "", -1))
		http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		return nil
	}))
	pages := wrikePages
	if c.face == Okta {
		pages = oktaPages
	}
	for pattern, h := range pages {
		m.HandleFunc(pattern, c.signedIn(h))
	}
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})
	c.mux = m
}

// call is one request of a signed-in session: it calls the face's API with
// the session's token.
type call struct {
	c   *Console
	r   *http.Request
	id  string
	ses *session
}

// apiError is an API answer other than 2xx, with the face's own message.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Message }

// errSignedOut ends a session whose token the API no longer accepts.
var errSignedOut = errors.New("console: token refused")

// do calls the API: method, path with query, an optional JSON body; the
// answer decoded into out (when not nil). It returns the response headers.
func (s *call) do(method, path string, body, out any) (http.Header, error) {
	return s.c.callAPI(s.r, s.ses.token, method, path, body, out)
}

func (c *Console) callAPI(r *http.Request, token, method, path string, body, out any) (http.Header, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, path, rd) //nolint:gosec // served in-process by the face's handler, never sent over a network
	if err != nil {
		return nil, err
	}
	// The face builds URLs (SCIM URLs, links) from the host the browser used.
	req.Host = r.Host
	req.RemoteAddr = r.RemoteAddr
	req.TLS = r.TLS
	if id := r.Header.Get("X-Request-Id"); id != "" {
		req.Header.Set("X-Request-Id", id)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.face == Wrike {
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	rec := newRecorder()
	c.api.ServeHTTP(rec, req)
	if rec.status == http.StatusUnauthorized {
		return rec.header, errSignedOut
	}
	if rec.status < 200 || rec.status > 299 {
		return rec.header, &apiError{Status: rec.status, Message: apiMessage(rec.status, rec.body.Bytes())}
	}
	if out != nil && rec.body.Len() > 0 {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			return rec.header, fmt.Errorf("console: %s %s: %w", method, path, err)
		}
	}
	return rec.header, nil
}

// apiMessage is the human part of a face's error body: Wrike's
// errorDescription, Okta's errorSummary and causes.
func apiMessage(status int, body []byte) string {
	var e struct {
		ErrorDescription string `json:"errorDescription"`
		ErrorSummary     string `json:"errorSummary"`
		ErrorCauses      []struct {
			ErrorSummary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	if json.Unmarshal(body, &e) == nil {
		msg := e.ErrorDescription + e.ErrorSummary
		for _, cause := range e.ErrorCauses {
			msg += ": " + cause.ErrorSummary
		}
		if msg != "" {
			return msg
		}
	}
	return fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
}

// recorder captures an in-process API answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func randomID() string { return credential.New("", 32) }

// verify checks a token against the API with a cheap read.
func (c *Console) verify(r *http.Request, token string) (http.Header, error) {
	path := "/api/v4/account"
	if c.face == Okta {
		path = "/api/v1/apps?limit=1"
	}
	return c.callAPI(r, token, http.MethodGet, path, nil, nil)
}

// refusal is the status and message for a token verify did not accept: 401
// for a token the face does not know; the face's own 4xx for one it knows
// but will not serve now or here (429 when its rate limit is spent, 403 for
// a Wrike API app token, which calls SCIM only), with its rate-limit headers
// copied to w; 503 when the face could not answer.
func (c *Console) refusal(w http.ResponseWriter, h http.Header, err error) (int, string) {
	var ae *apiError
	switch {
	case errors.Is(err, errSignedOut):
		return http.StatusUnauthorized, "That " + c.tokenName() + " was not accepted."
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500:
		for k, v := range h {
			if k == "Retry-After" || strings.HasPrefix(k, "X-Rate-Limit-") {
				w.Header()[k] = v
			}
		}
		return ae.Status, ae.Message
	}
	return http.StatusServiceUnavailable, err.Error()
}

// sessionCookie is HttpOnly and SameSite=Strict always, and Secure when the
// console is reached over TLS: the backend usually serves plain HTTP on
// loopback, where a Secure cookie would not be sent back.
func (c *Console) sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: c.cookie, Value: value, Path: "/console", MaxAge: maxAge, //nolint:gosec // Secure is set from the request, see above
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}

// startSession makes a session for token and sets its cookie.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, token string) {
	id := randomID()
	now := c.now()
	c.mu.Lock()
	c.prune(now)
	c.sessions[id] = &session{token: token, csrf: randomID(), expires: now.Add(sessionIdle)}
	c.mu.Unlock()
	http.SetCookie(w, c.sessionCookie(r, id, 0))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// prune drops expired sessions and links, then the oldest past maxSessions.
// c.mu is held.
func (c *Console) prune(now time.Time) {
	for id, s := range c.sessions {
		if !now.Before(s.expires) {
			delete(c.sessions, id)
		}
	}
	for n, l := range c.links {
		if !now.Before(l.expires) {
			delete(c.links, n)
		}
	}
	for len(c.sessions) >= maxSessions {
		oldest := ""
		for id, s := range c.sessions {
			if oldest == "" || s.expires.Before(c.sessions[oldest].expires) {
				oldest = id
			}
		}
		delete(c.sessions, oldest)
	}
}

// signedIn runs h for a valid session and checks the CSRF token of every
// POST; without a session it sends the browser to the login page.
func (c *Console) signedIn(h pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(c.cookie)
		now := c.now()
		var s *session
		if err == nil {
			c.mu.Lock()
			s = c.sessions[ck.Value]
			if s != nil && !now.Before(s.expires) {
				delete(c.sessions, ck.Value)
				s = nil
			}
			if s != nil {
				s.expires = now.Add(sessionIdle)
			}
			c.mu.Unlock()
		}
		if s == nil {
			if r.Method != http.MethodGet {
				http.Error(w, "Not signed in: sign in at "+Prefix+"login.", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				status := http.StatusBadRequest
				if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
					status = http.StatusRequestEntityTooLarge
				}
				http.Error(w, "The form could not be read: "+err.Error(), status)
				return
			}
			got := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
				http.Error(w, "This form is out of date or did not come from this console: reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		err = h(w, r, &call{c: c, r: r, id: ck.Value, ses: s})
		switch {
		case err == nil:
		case errors.Is(err, errSignedOut):
			c.mu.Lock()
			delete(c.sessions, ck.Value)
			c.mu.Unlock()
			http.SetCookie(w, c.sessionCookie(r, "", -1))
			http.Redirect(w, r, Prefix+"login?expired=1", http.StatusSeeOther)
		default:
			var ae *apiError
			if r.Method == http.MethodPost && errors.As(err, &ae) {
				// A refused change comes back to the page with the API's reason.
				c.setFlash(ck.Value, flash{Error: ae.Message})
				http.Redirect(w, r, back(r), http.StatusSeeOther) //nolint:gosec // back allows console paths only
				return
			}
			if errors.As(err, &ae) && ae.Status/100 == 4 {
				// A filter or page the API refuses (a bad domain, an unknown cursor).
				http.Error(w, ae.Message, ae.Status)
				return
			}
			c.log.Error("console page", "path", r.URL.Path, "error", err)
			msg := "The page could not be built: " + err.Error()
			if errors.As(err, &ae) {
				msg = ae.Message
			}
			http.Error(w, msg, http.StatusBadGateway)
		}
	}
}

// back is where a form returns: its "back" field when it is a console path.
func back(r *http.Request) string {
	b := r.PostFormValue("back")
	if strings.HasPrefix(b, Prefix) && !strings.HasPrefix(b, "//") && !strings.Contains(b, "\\") {
		return b
	}
	return Prefix
}

func (c *Console) setFlash(id string, f flash) {
	c.mu.Lock()
	if s := c.sessions[id]; s != nil {
		s.flash = f
	}
	c.mu.Unlock()
}

// done ends a form: the notice (and a secret shown once) on the page it
// returns to.
func (s *call) done(w http.ResponseWriter, f flash) error {
	s.c.setFlash(s.id, f)
	http.Redirect(w, s.r, back(s.r), http.StatusSeeOther) //nolint:gosec // back allows console paths only
	return nil
}

// change makes one change through the API and returns to the form's page
// with notice.
func (s *call) change(w http.ResponseWriter, method, path string, body any, notice string) error {
	if _, err := s.do(method, path, body, nil); err != nil {
		return err
	}
	return s.done(w, flash{Notice: notice})
}

// view is what every page template gets.
type view struct {
	Face  Face
	Title string
	Path  string
	CSRF  string
	Flash flash
	// Refresh, when > 0, reloads the page every so many seconds.
	Refresh int
	Data    any
}

// render writes page with data; the session's flash is shown and cleared.
func (s *call) render(w http.ResponseWriter, page, title string, data any) error {
	return s.renderRefreshing(w, page, title, data, false)
}

// renderRefreshing renders a page that reloads itself when refresh is set.
func (s *call) renderRefreshing(w http.ResponseWriter, page, title string, data any, refresh bool) error {
	s.c.mu.Lock()
	f := s.ses.flash
	s.ses.flash = flash{}
	csrf := s.ses.csrf
	s.c.mu.Unlock()
	v := view{Face: s.c.face, Title: title, Path: s.r.URL.RequestURI(), CSRF: csrf, Flash: f, Data: data}
	if refresh {
		v.Refresh = logRefreshSeconds
	}
	return s.c.renderPage(w, page, v)
}

func (c *Console) renderPage(w http.ResponseWriter, page string, v view) error {
	t := c.pages[page]
	if t == nil {
		return fmt.Errorf("console: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := buf.WriteTo(w)
	return err
}

func (c *Console) tokenName() string {
	if c.face == Wrike {
		return "Wrike admin token"
	}
	return "Okta API token"
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	v := view{Face: c.face, Title: "Sign in", Data: c.tokenName()}
	switch {
	case r.URL.Query().Has("expired"):
		v.Flash.Error = "The session ended or its token was revoked: sign in again."
	case r.URL.Query().Has("used"):
		v.Flash.Error = "That sign-in link was already used or has expired: sign in with the token, or ask for a new link."
	}
	if err := c.renderPage(w, "login", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	// A cross-site form cannot sign a browser into the attacker's session.
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		http.Error(w, "Cross-site sign-in refused.", http.StatusForbidden)
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	var h http.Header
	err := errSignedOut
	if token != "" {
		h, err = c.verify(r, token)
	}
	if err != nil {
		v := view{Face: c.face, Title: "Sign in", Data: c.tokenName()}
		var status int
		status, v.Flash.Error = c.refusal(w, h, err)
		w.WriteHeader(status)
		_ = c.renderPage(w, "login", v)
		return
	}
	c.startSession(w, r, token)
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// LoginLink mints a one-time sign-in path (Prefix+"login/<nonce>") for
// token, after checking the API accepts it. The link holds a random nonce,
// never the token; the first GET uses it up.
func (c *Console) LoginLink(r *http.Request, token string) (string, error) {
	path, _, err := c.loginLink(r, token)
	return path, err
}

// loginLink is LoginLink that also returns the face's answer headers.
func (c *Console) loginLink(r *http.Request, token string) (string, http.Header, error) {
	if h, err := c.verify(r, token); err != nil {
		return "", h, err
	}
	nonce := randomID()
	now := c.now()
	c.mu.Lock()
	c.prune(now)
	if len(c.links) >= maxSessions {
		c.mu.Unlock()
		return "", nil, errors.New("console: too many unused sign-in links; try again later")
	}
	c.links[nonce] = loginLink{token: token, expires: now.Add(loginLinkTTL)}
	c.mu.Unlock()
	return Prefix + "login/" + nonce, nil, nil
}

// createLoginLink answers POST /console/login-links for a caller holding the
// face's token in Authorization, as the API takes it: {"url": "..."}.
func (c *Console) createLoginLink(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	scheme := "Bearer "
	if c.face == Okta {
		scheme = "SSWS "
	}
	token, ok := strings.CutPrefix(auth, scheme)
	w.Header().Set("Content-Type", "application/json")
	if !ok || strings.TrimSpace(token) == "" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"Authorization: `+strings.TrimSpace(scheme)+` <token> required"}`)
		return
	}
	path, h, err := c.loginLink(r, strings.TrimSpace(token))
	if err != nil {
		status, msg := c.refusal(w, h, err)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	scheme = "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"url": scheme + r.Host + path})
}

func (c *Console) useLoginLink(w http.ResponseWriter, r *http.Request) {
	nonce := r.PathValue("nonce")
	c.mu.Lock()
	l, ok := c.links[nonce]
	// A HEAD (a link preview, a checker) only looks: the browser's GET is
	// the one use.
	if r.Method != http.MethodHead {
		delete(c.links, nonce)
	}
	c.mu.Unlock()
	if r.Method == http.MethodHead && ok && c.now().Before(l.expires) {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !ok || !c.now().Before(l.expires) {
		http.Redirect(w, r, Prefix+"login?used=1", http.StatusSeeOther)
		return
	}
	c.startSession(w, r, l.token)
}
