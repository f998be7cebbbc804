// Package wrike is the reference backend's Wrike face: the admin API under
// /api/v4 (approved domains, API apps and their v4 tokens, SCIM integrations,
// account seats, users) and the SCIM 2.0 service provider under
// /scim/{provider}/v2 that identity providers such as Okta and Microsoft Entra
// ID provision users into. All state is held in memory for speed and made
// durable through the Store before any change becomes visible.
package wrike

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// Config configures the face.
type Config struct {
	// Store is the face's persistence: store.NewWrikeStore on the backend's
	// DB. Every method that changes data returns only once the change is
	// durable. Errors are the store's sentinels: store.ErrNotFound,
	// store.ErrConflict, store.ErrPrecondition.
	Store  *store.WrikeStore
	Logger *slog.Logger // nil: discard
	Clock  func() time.Time
	NewID  func() string
	// PublicURL is the externally visible base URL (scheme://host[:port]);
	// empty means "derive it from each request".
	PublicURL string
	// AccountName names the account created on first start.
	AccountName string
	// ScanBudget bounds the work of one SCIM request that evaluates a
	// client's filter or PATCH paths, in internal/cost's units, bytes
	// examined (zero: DefaultScanBudget).
	ScanBudget int
	// Gate admits the heavy work of such requests, shared with the other
	// face (nil: a gate of the face's own, cost.NewGate's defaults).
	Gate *cost.Gate
}

// Server is the Wrike face; it is an http.Handler.
type Server struct {
	store     *store.WrikeStore
	log       *slog.Logger
	now       func() time.Time
	newID     func() string
	publicURL string
	mux       *http.ServeMux

	// adminMu serialises admin-API changes (rare) so that checks against
	// memory and the durable write happen as one step.
	adminMu sync.Mutex

	mu           sync.RWMutex
	account      store.WrikeAccount
	adminTokens  map[tokenHash]struct{}
	domains      []store.WrikeApprovedDomain
	apps         []store.WrikeAPIApp
	appsByToken  map[tokenHash]string // token hash → app id
	integrations map[string]store.WrikeSCIMIntegration

	users     *userIndex
	userLocks [256]sync.Mutex

	scanBudget int
	// gate admits the heavy work of requests that evaluate clients'
	// expressions (internal/cost), one per two cores across both faces, so
	// that a burst of them leaves the other cores to indexed lookups.
	gate *cost.Gate
}

// Identity providers that have a SCIM integration, in listing order.
var identityProviders = wrikeapi.IdentityProviders

// User types of the Wrike extension.
var userTypes = wrikeapi.UserTypes

const defaultUserType = wrikeapi.UserTypeRegular

// New loads the face's state from the store, creating the account on first
// start.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("wrike: a store is required")
	}
	s := &Server{
		store:        cfg.Store,
		log:          cfg.Logger,
		now:          cfg.Clock,
		newID:        cfg.NewID,
		publicURL:    trimSlash(cfg.PublicURL),
		adminTokens:  map[tokenHash]struct{}{},
		appsByToken:  map[tokenHash]string{},
		integrations: map[string]store.WrikeSCIMIntegration{},
		users:        newUserIndex(),
		scanBudget:   cfg.ScanBudget,
		gate:         cfg.Gate,
	}
	if s.gate == nil {
		s.gate = cost.NewGate(cost.GateConfig{})
	}
	if s.scanBudget <= 0 {
		s.scanBudget = DefaultScanBudget
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = NewID
	}
	if err := s.load(ctx, cfg.AccountName); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

func (s *Server) load(ctx context.Context, accountName string) error {
	acct, err := s.store.WrikeAccount(ctx)
	if errors.Is(err, store.ErrNotFound) {
		if accountName == "" {
			accountName = "Wrike reference account"
		}
		acct = store.WrikeAccount{ID: s.newID(), Name: accountName, Created: s.now().UTC()}
		err = s.store.CreateWrikeAccount(ctx, acct)
	}
	if err != nil {
		return fmt.Errorf("wrike: account: %w", err)
	}
	s.account = acct

	tokens, err := s.store.WrikeAdminTokens(ctx)
	if err != nil {
		return fmt.Errorf("wrike: admin tokens: %w", err)
	}
	for _, t := range tokens {
		s.adminTokens[toHash(t.TokenHash)] = struct{}{}
	}
	if s.domains, err = s.store.WrikeApprovedDomains(ctx); err != nil {
		return fmt.Errorf("wrike: approved domains: %w", err)
	}
	if s.apps, err = s.store.WrikeAPIApps(ctx); err != nil {
		return fmt.Errorf("wrike: API apps: %w", err)
	}
	for _, a := range s.apps {
		s.appsByToken[toHash(a.TokenHash)] = a.ID
	}
	ins, err := s.store.WrikeSCIMIntegrations(ctx)
	if err != nil {
		return fmt.Errorf("wrike: SCIM integrations: %w", err)
	}
	for _, in := range ins {
		s.integrations[in.Provider] = in
	}
	rekeyed, err := s.loadUsers(ctx, max(1, min(runtime.GOMAXPROCS(0), maxLoaders)))
	if err != nil {
		return fmt.Errorf("wrike: users: %w", err)
	}
	for _, u := range rekeyed {
		if err := s.store.UpdateWrikeUser(ctx, u.toStore(), u.version); err != nil {
			return fmt.Errorf("wrike: user %s: store canonical keys: %w", u.id, err)
		}
	}
	return nil
}

// loadUsers reads the stored users into the index: so many seq ranges side
// by side, each into its own part of the index, and the parts are joined in
// order. It returns the users whose lookup keys it made canonical (see
// rekey), to store.
func (s *Server) loadUsers(ctx context.Context, parallel int) ([]*user, error) {
	first, last, err := s.store.WrikeUserSeqs(ctx)
	if err != nil || last == 0 {
		return nil, err
	}
	ranges := int64(parallel)
	span := (last - first + ranges) / ranges
	parts := make([]*indexPart, ranges)
	rekeyed := make([][]*user, ranges)
	errs := make([]error, ranges)
	var wg sync.WaitGroup
	for i := range ranges {
		parts[i] = &indexPart{}
		from := first + i*span
		wg.Go(func() {
			errs[i] = s.store.WrikeUsers(ctx, from, min(from+span-1, last), func(u store.WrikeUser) error {
				changed, err := rekey(&u)
				if err != nil {
					return err
				}
				rec, err := userFromStore(u)
				if err != nil {
					return err
				}
				if changed {
					rec.doc = bytes.Clone(rec.doc) // u.Resource is the store's until fn returns
					rekeyed[i] = append(rekeyed[i], rec)
				}
				parts[i].add(rec)
				return nil
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.users.loadParts(parts)
	return slices.Concat(rekeyed...), nil
}

// maxLoaders bounds the seq ranges loadUsers reads side by side: the
// store's read pool has 8 connections, which requests need too.
const maxLoaders = 4

// rekey sets the canonical lookup keys (mailaddr.Key) of a stored user whose
// resource holds non-ASCII text and reports whether they changed. Rows
// written before keys were canonical hold strings.ToLower forms, which turn
// U+212A KELVIN SIGN into "k": such a look-alike would keep shadowing the
// real user. ASCII addresses have the same key either way.
func rekey(u *store.WrikeUser) (bool, error) {
	if ascii(u.Resource) {
		return false, nil
	}
	var d struct {
		UserName string      `json:"userName"`
		Emails   []multiItem `json:"emails"`
	}
	doc := u.Resource
	if len(doc) > 0 && doc[0] != '{' { // packed, as the store holds it now
		doc = appendUnpacked(nil, doc)
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return false, fmt.Errorf("user %s: %w", u.ID, err)
	}
	name := mailaddr.Key(d.UserName)
	var emails []string
	for _, e := range d.Emails {
		if k := mailaddr.Key(e.Value); e.Value != "" && !slices.Contains(emails, k) {
			emails = append(emails, k)
		}
	}
	if name == u.UserNameLower && slices.Equal(slices.Sorted(slices.Values(emails)), slices.Sorted(slices.Values(u.Emails))) {
		return false, nil
	}
	u.UserNameLower, u.Emails = name, emails
	return true, nil
}

// ascii reports whether b holds only ASCII, eight bytes at a time: every
// stored user passes here at start-up.
func ascii(b []byte) bool {
	for ; len(b) >= 8; b = b[8:] {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// HasAdminToken reports whether any admin token exists.
func (s *Server) HasAdminToken() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.adminTokens) > 0
}

// AddAdminToken stores the hash of token as an admin token. Adding a token
// that is already known is not an error.
func (s *Server) AddAdminToken(ctx context.Context, token string) error {
	if token == "" {
		return errors.New("wrike: empty admin token")
	}
	h := hashToken(token)
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	s.mu.RLock()
	_, known := s.adminTokens[h]
	s.mu.RUnlock()
	if known {
		return nil
	}
	err := s.store.CreateWrikeAdminToken(ctx, adminTokenRecord(token, s.newID(), s.now()))
	if err != nil {
		return fmt.Errorf("wrike: store admin token: %w", err)
	}
	s.mu.Lock()
	s.adminTokens[h] = struct{}{}
	s.mu.Unlock()
	return nil
}

// NewID returns a random identifier in Wrike's style: 16 characters of
// upper-case base32.
func NewID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base32.StdEncoding.EncodeToString(b[:])
}
