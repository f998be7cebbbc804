package wrike

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

var userRT = scim.UserResourceType

// lockUser serialises changes to one user (reads never wait). Users are
// spread over a fixed set of mutexes so that memory stays constant.
func (s *Server) lockUser(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &s.userLocks[h.Sum32()%uint32(len(s.userLocks))]
	m.Lock()
	return m.Unlock
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, c scimCall) error {
	p, err := queryParams(userRT, r)
	if err != nil {
		return err
	}
	u := s.users.get(r.PathValue("id"))
	if u == nil {
		return userNotFound(r.PathValue("id"))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListed(inm, u.etag()) {
		w.Header().Set("ETag", u.etag())
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return s.writeUser(w, http.StatusOK, c, u, p)
}

// etagListed reports whether an If-Match or If-None-Match list names tag, or
// is "*". Weak and strong forms compare equal: the server only issues weak tags.
func etagListed(list, tag string) bool {
	cur := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == cur {
			return true
		}
	}
	return false
}

// writeUser answers one user with its ETag, projected when asked.
func (s *Server) writeUser(w http.ResponseWriter, status int, c scimCall, u *user, p *scim.Query) error {
	body, err := s.renderUser(nil, c, u, p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", u.etag())
	if status == http.StatusCreated {
		h.Set("Location", c.base+"/Users/"+u.id)
	}
	writeSCIM(w, status, body)
	return nil
}

// renderUser appends the user's JSON to dst: the cached bytes as they are,
// or, with attributes/excludedAttributes, the projected resource.
func (s *Server) renderUser(dst []byte, c scimCall, u *user, p *scim.Query) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, u.jsonSize(c.base))
	}
	if !p.Projection.Names() {
		return u.appendJSON(dst, c.base), nil
	}
	res, err := decodeDoc(u.appendJSON(nil, c.base))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p.Projection.Apply(res))
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

func (s *Server) listUsersSCIM(w http.ResponseWriter, r *http.Request, c scimCall) error {
	q, err := queryParams(userRT, r)
	if err != nil {
		return err
	}
	return s.queryUsers(w, r, c, q)
}

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request, c scimCall) error {
	q, err := searchParams(userRT, w, r)
	if err != nil {
		return err
	}
	return s.queryUsers(w, r, c, q)
}

// queryUsers answers a filtered, sorted, paged list.
func (s *Server) queryUsers(w http.ResponseWriter, r *http.Request, c scimCall, q *scim.Query) error {
	var page []*user
	var total int
	meter := s.gate.Meter(r.Context(), int64(s.scanBudget))
	defer meter.Close()
	if q.Filter == nil && q.SortBy == nil {
		page, total = s.users.page(q.StartIndex-1, q.Count)
	} else {
		matched, err := s.matchUsers(c, q, meter)
		if err != nil {
			return err
		}
		total = len(matched)
		lo, hi := q.Window(total)
		page = matched[lo:hi]
	}
	if q.Projection.Names() {
		// Projecting decodes each user of the page: a page of users at
		// every size limit would cost more than the request's budget, so it
		// ends early, as RFC 7644 §3.4.2.4 lets a server return fewer
		// results than asked (itemsPerPage says how many; startIndex goes on).
		for i, u := range page {
			if err := meter.Pace(); err != nil {
				return err
			}
			if !meter.Charge(int64(u.jsonSize(c.base))*cost.DecodeWeight) && i > 0 {
				page = page[:i]
				break
			}
		}
	}
	size := 0
	for _, u := range page {
		size += u.jsonSize(c.base) + 1
	}
	body := listResponseHead(total, len(page), q.StartIndex, size)
	for i, u := range page {
		if i > 0 {
			body = append(body, ',')
		}
		var err error
		if body, err = s.renderUser(body, c, u, q); err != nil {
			return err
		}
	}
	writeSCIM(w, http.StatusOK, append(body, "]}"...))
	return nil
}

// DefaultScanBudget bounds the work of one SCIM request that evaluates a
// client's filter or PATCH paths, in the units of internal/cost (bytes
// examined; decoding a user examines its document at cost.DecodeWeight per
// byte): about 1 s of one core on a loaded development machine, the worst
// case any single request may cost (dev/BENCHMARKS.md, "Hostile load"). It lets
// a filter of a few clauses scan some 10,000 users of typical size (900-byte
// documents), and refuses long co operands over long values, and scans of
// more users, that would hold a core for seconds.
const DefaultScanBudget = cost.DefaultBudget

// minUserCost is the least decoding one user can cost (a document is
// longer than 200 bytes): a scan of more users than the budget admits at
// this price is refused before it starts, at no cost.
const minUserCost = 200 * cost.DecodeWeight

// typicalUserCost is decoding a user as identity providers create them
// (some 900 bytes of document, with meta), for CostliestFilter.
const typicalUserCost = 1000 * cost.DecodeWeight

// CostliestFilter returns the most expensive filter DefaultScanBudget
// admits over n users of typical size, and its number of comparisons:
// or-ed "co" clauses with five-byte operands against titles of a few words,
// that no index answers, within the filter length limit. Load tests send
// it. Over so many users that the budget admits no scan at all, it returns
// "" and 0.
func CostliestFilter(n int) (string, int) {
	const perClause = 16 * 5 // a title of up to 16 bytes, an operand of 5
	k := min((DefaultScanBudget/max(n, 1)-typicalUserCost)/perClause, scim.MaxFilterLength/20)
	if k < 1 {
		return "", 0
	}
	clauses := make([]string, k)
	for i := range clauses {
		clauses[i] = fmt.Sprintf(`title co "zz%03d"`, i%1000)
	}
	return strings.Join(clauses, " or "), len(clauses)
}

// matchUsers returns the users matching q's filter, in q's order (else
// creation order). Equality on id, userName, externalId or emails.value
// (emails[type eq "work"].value eq "x" included) takes its candidates from
// the index; other filters, and sorting, examine users one by one within
// the scan budget (bytes decoded and compared, charged to meter as the scan
// goes), their heavy work paced by the meter's gate (cost.Gate).
func (s *Server) matchUsers(c scimCall, q *scim.Query, meter *cost.Meter) ([]*user, error) {
	f := q.Filter
	var candidates []*user
	eq, indexed := f.Equality()
	if indexed {
		switch eq.Attr {
		case "id":
			if u := s.users.get(eq.Value); u != nil {
				candidates = []*user{u}
			}
		case "userName":
			if u := s.users.byName(mailaddr.Key(eq.Value)); u != nil {
				candidates = []*user{u}
			}
		case "externalId":
			candidates = s.users.withExternalID(eq.Value)
		case "emails.value":
			candidates = s.users.withEmail(mailaddr.Key(eq.Value))
		}
		qv, _ := json.Marshal(eq.Value)
		// The index answers a filter that is only this equality exactly
		// (userName and emails compare in canonical form, as the index does).
		if q.SortBy == nil && f.String() == eq.Attr+" eq "+string(qv) {
			return candidates, nil
		}
	}
	n := len(candidates)
	if !indexed { // counted before the users are copied out: a refused scan costs nothing
		active, inactive := s.users.counts()
		n = active + inactive
	}
	what := "sorting"
	if f != nil {
		what = "this filter"
	}
	if int64(n)*minUserCost > meter.Limit()-meter.Spent() {
		return nil, scanOverBudget(fmt.Sprintf("%s would examine %d users, and decoding them alone costs more than %d, the limit of work (in bytes examined) one request may do here;",
			what, n, meter.Limit()))
	}
	if !indexed {
		// A walk over every user is heavy from its start: it waits for a
		// slot of the gate (cost.ErrBusy, a 503, after the gate's wait).
		if err := meter.Hold(); err != nil {
			return nil, err
		}
		candidates = s.users.all()
	}
	type match struct {
		u   *user
		res map[string]any
	}
	var out []match
	var doc []byte // reused: the decoded resource does not keep it
	for i, u := range candidates {
		if err := meter.Pace(); err != nil {
			return nil, err
		}
		doc = u.appendJSON(doc[:0], c.base)
		if !meter.Charge(int64(len(doc)) * cost.DecodeWeight) {
			return nil, scanOverBudget(meter.Detail(fmt.Sprintf("%s was stopped after %d of %d users: it", what, i, len(candidates))) + ";")
		}
		res, err := decodeDoc(doc)
		if err != nil {
			return nil, err
		}
		ok := f.MatchWithin(res, meter)
		if meter.Over() {
			return nil, scanOverBudget(meter.Detail(fmt.Sprintf("%s was stopped after %d of %d users: it", what, i, len(candidates))) + ";")
		}
		if ok {
			m := match{u: u}
			if q.SortBy != nil {
				m.res = res
			}
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b match) int { return q.Compare(a.res, b.res) })
	users := make([]*user, len(out))
	for i, m := range out {
		users[i] = m.u
	}
	return users, nil
}

// scanOverBudget is the 400 tooMany of a query that costs more than the
// budget, with what it had done and what to do instead.
func scanOverBudget(why string) error {
	return scim.Errorf(http.StatusBadRequest, scim.ErrTooMany,
		"%s add userName eq, externalId eq, id eq or emails eq to the filter so that it is answered from the index, "+
			"or use fewer clauses and shorter co operands", why)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c scimCall) error {
	p, err := queryParams(userRT, r)
	if err != nil {
		return err
	}
	body, err := readSCIMBody(w, r)
	if err != nil {
		return err
	}
	meter, err := s.writeMeter(r, len(body))
	if err != nil {
		return err
	}
	defer meter.Close()
	u, res, err := s.newUser(c, body)
	if err != nil {
		return err
	}
	rec := u.toStore()
	if err := s.store.CreateWrikeUser(r.Context(), &rec); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return userNameTaken(scim.String(userRT, res, "userName"))
		}
		return err
	}
	u.seq = rec.Seq
	s.users.put(u)
	s.logger(r).Info("user provisioned", "user_id", u.id, "identity_provider", c.provider)
	return s.writeUser(w, http.StatusCreated, c, u, p)
}

// newUser checks a POST /Users body and returns the user to store and its
// canonical resource.
func (s *Server) newUser(c scimCall, body []byte) (*user, map[string]any, error) {
	in, err := scim.DecodeObject(body)
	if err != nil {
		return nil, nil, err
	}
	res, err := scim.Normalize(userRT, in)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.prepareUser(c, res, nil, "", s.now().UTC())
	return u, res, err
}

func userNameTaken(name string) error {
	return scim.Errorf(http.StatusConflict, scim.ErrUniqueness, "userName %q is already taken (userName is unique; addresses are compared in canonical form, ignoring letter case)", name)
}

// prepareUser checks a canonical resource against the product's rules,
// fills the defaults and returns the user to store. prev is the current
// user on an update, nil on a create.
// Addresses are checked when they are new or changed, so that a user whose
// domain approval was withdrawn can still be updated and deactivated; a
// reactivation checks them again, as it makes the user billable.
func (s *Server) prepareUser(c scimCall, res map[string]any, prev *user, prevEmail string, now time.Time) (*user, error) {
	// Wrike signs users in through the identity provider; a password sent
	// along (Okta can sync one) is never kept.
	delete(res, "password")

	userName := scim.String(userRT, res, "userName")
	if strings.TrimSpace(userName) == "" {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue, "userName is required")
	}
	active, ok := scim.Bool(userRT, res, "active")
	if !ok {
		if prev != nil {
			// Missing after an update means removed: a PUT that leaves it
			// out keeps it. A Wrike user is active or deactivated, nothing in
			// between, so the removal is refused rather than ignored.
			return nil, scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue,
				"active cannot be removed: a Wrike user is either active or deactivated; replace it with true or false")
		}
		active = true
		res["active"] = active
	}
	reactivated := prev != nil && !prev.active && active
	// userName, the primary email, the previous one and an entry of emails
	// are usually one string: each is parsed once.
	parsed := make(map[string]mailaddr.Parsed, 2)
	parse := func(addr string) mailaddr.Parsed {
		p, ok := parsed[addr]
		if !ok {
			p = mailaddr.ParseKey(addr)
			parsed[addr] = p
		}
		return p
	}
	name := parse(userName)
	lower := name.Key
	if err := s.checkAddress("userName", userName, name, prev == nil || prev.userNameLower != lower, reactivated); err != nil {
		return nil, err
	}
	if email := scim.Primary(userRT, res, "emails"); email != "" {
		p := parse(email)
		if err := s.checkAddress("primary email", email, p, p.Key != parse(prevEmail).Key, reactivated); err != nil {
			return nil, err
		}
	}
	if other := s.users.byName(lower); other != nil && (prev == nil || other.id != prev.id) {
		return nil, userNameTaken(userName)
	}

	ext, _ := res[schemaWrike].(map[string]any)
	if ext == nil || ext["userType"] == nil {
		// A PUT that leaves userType out keeps it (MergeReplace); missing
		// here, it was never set or was removed (PATCH remove, or null): the
		// integration's default applies, as to a user created without one.
		ut := c.integration.DefaultUserType
		if ut == "" {
			ut = defaultUserType
		}
		if ext == nil {
			ext = map[string]any{}
			res[schemaWrike] = ext
		}
		ext["userType"] = ut
	}
	userType, _ := ext["userType"].(string)
	if schemas, _ := res["schemas"].([]any); !slices.Contains(schemas, any(schemaWrike)) {
		res["schemas"] = append(schemas, schemaWrike)
	}

	u := &user{
		userNameLower: lower,
		externalID:    scim.String(userRT, res, "externalId"),
		active:        active,
		userType:      userType,
		provider:      c.integration.Provider, // not c.provider: that string holds the request line in memory
		created:       now,
		modified:      now,
		version:       1,
	}
	if prev != nil {
		u.id, u.seq, u.provider, u.created, u.version = prev.id, prev.seq, prev.provider, prev.created, prev.version+1
	} else {
		u.id = s.newID()
	}
	if list, ok := res["emails"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if v, ok := m["value"].(string); ok && v != "" {
					p := parse(v)
					lv := p.Key
					if (prev == nil || !slices.Contains(prev.emails, lv)) && lv != lower && p.Err != nil {
						return nil, scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue, "emails: %v", p.Err)
					}
					if lv == lower {
						lv = lower // share the string: the email usually is the userName
					}
					if !slices.Contains(u.emails, lv) {
						u.emails = append(u.emails, lv)
					}
				}
			}
		}
	}
	doc, err := encodeDoc(res, u)
	if err != nil {
		return nil, err
	}
	u.doc = packUserDoc(doc)
	return u, nil
}

// checkAddress refuses an address (p is its parse) that is not canonical-able
// or not in an approved domain. changed says the address is new; reactivated
// that the user is being made active again, which checks an unchanged
// address too.
func (s *Server) checkAddress(what, addr string, p mailaddr.Parsed, changed, reactivated bool) error {
	if !changed && !reactivated {
		return nil
	}
	if p.Err != nil {
		return scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue,
			"%s %v; Wrike provisions users by email address in an approved domain", what, p.Err)
	}
	a := p.Address
	if s.domainApproved(a.Domain.ASCII) {
		return nil
	}
	domain := strconv.Quote(a.Domain.ASCII)
	if a.Domain.Unicode != a.Domain.ASCII {
		domain = fmt.Sprintf("%q (%s)", a.Domain.Unicode, a.Domain.ASCII)
	}
	if !changed {
		return scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue,
			"the user cannot be reactivated: %s %q is in domain %s, which is no longer an approved domain of this Wrike account; "+
				"the user stays deactivated (and not billable) until the domain is approved again", what, addr, domain)
	}
	return scim.Errorf(http.StatusBadRequest, scim.ErrInvalidValue,
		"%s %q is in domain %s, which is not an approved domain of this Wrike account", what, addr, domain)
}

// encodeDoc serialises a canonical resource in the stored form: schemas and
// id first, then the attributes in name order, then meta without location.
func encodeDoc(res map[string]any, u *user) ([]byte, error) {
	rest := make(map[string]any, len(res))
	for k, v := range res {
		switch k {
		case "schemas", "id", "meta":
		default:
			rest[k] = v
		}
	}
	restJSON, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	schemas, err := json.Marshal(res["schemas"])
	if err != nil {
		return nil, err
	}
	id, _ := json.Marshal(u.id)
	var b bytes.Buffer
	b.Grow(len(restJSON) + 256)
	b.WriteString(`{"schemas":`)
	b.Write(schemas)
	b.WriteString(`,"id":`)
	b.Write(id)
	if len(restJSON) > 2 {
		b.WriteByte(',')
		b.Write(restJSON[1 : len(restJSON)-1])
	}
	b.WriteString(`,"meta":{"resourceType":"User","created":"`)
	b.WriteString(u.created.UTC().Format(metaTime))
	b.WriteString(`","lastModified":"`)
	b.WriteString(u.modified.UTC().Format(metaTime))
	b.WriteString(`","version":`)
	v, _ := json.Marshal(u.etag())
	b.Write(v)
	b.WriteString("}}")
	return b.Bytes(), nil
}

// metaTime is the format of meta.created and meta.lastModified: xsd:dateTime
// in UTC with milliseconds.
const metaTime = "2006-01-02T15:04:05.000Z07:00"

// content is a resource's JSON without id and meta, to tell whether an
// update changes anything.
func content(res map[string]any) []byte {
	rest := make(map[string]any, len(res))
	for k, v := range res {
		if k != "id" && k != "meta" {
			rest[k] = v
		}
	}
	b, _ := json.Marshal(rest)
	return b
}

// writeMeter is the meter of a SCIM write that decodes size bytes of JSON
// (its body, and the stored user it updates) at cost.DecodeWeight, paced
// (cost.Meter.Pace): a write of a user at every size limit is heavy work,
// which waits for a slot of the gate. The caller closes it.
func (s *Server) writeMeter(r *http.Request, size int) (*cost.Meter, error) {
	m := s.gate.Meter(r.Context(), int64(s.scanBudget))
	m.Charge(int64(size) * cost.DecodeWeight)
	if err := m.Pace(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// updateUser runs one PUT or PATCH: change computes the new resource from
// the current one. It holds the user's lock, so change sees the latest state.
// bodySize is the request body's length, charged with the stored user's to
// the write's meter, which change charges too.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, c scimCall, bodySize int,
	change func(cur map[string]any, meter *cost.Meter) (map[string]any, error)) error {
	p, err := queryParams(userRT, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	unlock := s.lockUser(id)
	defer unlock()
	cur := s.users.get(id)
	if cur == nil {
		return userNotFound(id)
	}
	if err := ifMatch(r, cur.etag()); err != nil {
		return err
	}
	doc := cur.appendJSON(nil, c.base)
	meter, err := s.writeMeter(r, bodySize+len(doc))
	if err != nil {
		return err
	}
	defer meter.Close()
	curRes, err := decodeDoc(doc)
	if err != nil {
		return err
	}
	res, err := change(scim.CloneResource(curRes), meter)
	if err != nil {
		return err
	}
	delete(res, "password")
	curContent := content(curRes)
	if bytes.Equal(content(res), curContent) {
		// Nothing changes (Okta re-sends deactivations, for one): no new version.
		return s.writeUser(w, http.StatusOK, c, cur, p)
	}
	u, err := s.prepareUser(c, res, cur, scim.Primary(userRT, curRes, "emails"), s.now().UTC())
	if err != nil {
		return err
	}
	if bytes.Equal(content(res), curContent) {
		// The defaults put back what the request removed (a userType that
		// was the default already): nothing changes either.
		return s.writeUser(w, http.StatusOK, c, cur, p)
	}
	if err := s.store.UpdateWrikeUser(r.Context(), u.toStore(), cur.version); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return userNameTaken(scim.String(userRT, res, "userName"))
		case errors.Is(err, store.ErrNotFound):
			return userNotFound(id)
		}
		return err
	}
	s.users.put(u)
	if cur.active != u.active {
		s.logger(r).Info("user active changed", "user_id", id, "active", u.active, "identity_provider", c.provider)
	}
	return s.writeUser(w, http.StatusOK, c, u, p)
}

func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request, c scimCall) error {
	body, err := readSCIMBody(w, r)
	if err != nil {
		return err
	}
	in, err := scim.DecodeObject(body)
	if err != nil {
		return err
	}
	return s.updateUser(w, r, c, len(body), func(cur map[string]any, _ *cost.Meter) (map[string]any, error) {
		return scim.MergeReplace(userRT, cur, in)
	})
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, c scimCall) error {
	body, err := readSCIMBody(w, r)
	if err != nil {
		return err
	}
	req, err := scim.DecodePatchRequest(body)
	if err != nil {
		return err
	}
	return s.updateUser(w, r, c, len(body), func(cur map[string]any, meter *cost.Meter) (map[string]any, error) {
		return scim.ApplyPatchWithin(userRT, cur, req.Operations, meter)
	})
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, c scimCall) error {
	id := r.PathValue("id")
	unlock := s.lockUser(id)
	defer unlock()
	cur := s.users.get(id)
	if cur == nil {
		return userNotFound(id)
	}
	if err := ifMatch(r, cur.etag()); err != nil {
		return err
	}
	if err := s.store.DeleteWrikeUser(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return userNotFound(id)
		}
		return err
	}
	s.users.remove(id)
	s.logger(r).Info("user deleted", "user_id", id, "identity_provider", c.provider)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
