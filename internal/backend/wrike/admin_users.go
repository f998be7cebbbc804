package wrike

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

func (s *Server) getAccount(w http.ResponseWriter, _ *http.Request) error {
	active, inactive := s.users.counts()
	writeData(w, http.StatusOK, "accounts", []wrikeapi.Account{{ID: s.account.ID, Name: s.account.Name,
		BillableSeats: int64(active), ActiveMembers: int64(active), DeactivatedMembers: int64(inactive)}})
	return nil
}

// usersPageSize is the default and the largest pageSize of GET /users, as
// Wrike's v4 API caps its paged listings at 1000.
const usersPageSize = 1000

// userFilter is GET /users's filters; zero fields do not filter.
type userFilter struct {
	domain   string // canonical: A-labels, lower case
	active   *bool
	userType string // canonical
}

func (f userFilter) match(u *user) bool {
	return (f.active == nil || u.active == *f.active) &&
		(f.userType == "" || u.userType == f.userType) &&
		(f.domain == "" || emailDomain(u.userNameLower) == f.domain)
}

// cost is comparing u with the filters (cost.Compare per filter given).
func (f userFilter) cost(u *user) int64 {
	n := int64(1)
	if f.domain != "" {
		n += cost.Compare("eq", len(emailDomain(u.userNameLower)), len(f.domain))
	}
	if f.userType != "" {
		n += cost.Compare("eq", len(u.userType), len(f.userType))
	}
	return n
}

// key identifies the filters, so that a page token is only taken back with
// the filters it was issued for.
func (f userFilter) key() uint32 {
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%q %v %q", f.domain, f.active != nil && *f.active, f.userType)
	if f.active == nil {
		_, _ = h.Write([]byte{0})
	}
	return h.Sum32()
}

// usersPageToken is where a listing stands: the last user it returned (by
// creation sequence), the number of matching users counted on its first
// page, and the filters it was issued for. It travels as nextPageToken.
type usersPageToken struct {
	after  int64
	total  int
	filter uint32
}

func (t usersPageToken) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "u1.%d.%d.%x", t.after, t.total, t.filter))
}

func parseUsersPageToken(s string, f userFilter) (usersPageToken, error) {
	bad := fmt.Errorf("%w: nextPageToken %q is not a token this listing issued", errInvalidParameter, s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return usersPageToken{}, bad
	}
	var t usersPageToken
	if n, err := fmt.Sscanf(string(raw), "u1.%d.%d.%x", &t.after, &t.total, &t.filter); err != nil || n != 3 ||
		t.after < 0 || t.total < 0 || (usersPageToken{t.after, t.total, t.filter}).String() != s {
		return usersPageToken{}, bad
	}
	if t.filter != f.key() {
		return usersPageToken{}, fmt.Errorf("%w: nextPageToken was issued for other filters: repeat the first page's domain, active and userType", errInvalidParameter)
	}
	return t, nil
}

// usersPage is the v4 answer of a paged listing.
type usersPage struct {
	Kind          string          `json:"kind"`
	NextPageToken string          `json:"nextPageToken,omitempty"`
	ResponseSize  int             `json:"responseSize"`
	Data          []wrikeapi.User `json:"data"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "domain", "active", "userType", "pageSize", "nextPageToken":
		default:
			return fmt.Errorf("%w: unknown parameter %q (allowed: domain, active, userType, pageSize, nextPageToken)", errInvalidParameter, k)
		}
	}
	f := userFilter{}
	if domain := q.Get("domain"); domain != "" {
		c, err := domainParam(domain)
		if err != nil {
			return err
		}
		f.domain = c.ASCII
	}
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%w: active must be true or false", errInvalidParameter)
		}
		f.active = &b
	}
	if userType := q.Get("userType"); userType != "" {
		canon, ok := canonicalUserType(userType)
		if !ok {
			return fmt.Errorf("%w: userType %q must be one of %s", errInvalidParameter, userType, strings.Join(userTypes, ", "))
		}
		f.userType = canon
	}
	pageSize := usersPageSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > usersPageSize {
			return fmt.Errorf("%w: pageSize must be a whole number from 1 to %d", errInvalidParameter, usersPageSize)
		}
		pageSize = n
	}
	tok := usersPageToken{filter: f.key(), total: -1}
	if v := q.Get("nextPageToken"); v != "" {
		var err error
		if tok, err = parseUsersPageToken(v, f); err != nil {
			return err
		}
	}

	// One more than a page tells whether another page follows. The first
	// page counts the listing in the same walk, so it goes on to the end.
	counting := tok.total < 0
	matched := 0
	page := make([]*user, 0, pageSize+1)
	// The filters compare short fields (the domain of a canonical address,
	// an enum), charged as any expression is: the budget only binds on
	// accounts far larger than the index holds, but the promise is the same.
	meter := s.gate.Meter(r.Context(), int64(s.scanBudget))
	defer meter.Close()
	s.users.scan(tok.after, func(u *user) bool {
		if !meter.Charge(f.cost(u)) {
			return false
		}
		if f.match(u) {
			matched++
			if len(page) <= pageSize {
				page = append(page, u)
			}
		}
		return counting || len(page) <= pageSize
	})
	if meter.Over() {
		return fmt.Errorf("%w: %s; list with fewer filters, or by pages without the domain filter", errInvalidParameter, meter.Detail("the listing's filters"))
	}
	if counting {
		tok.total = matched
	}
	answer := usersPage{Kind: "users", ResponseSize: tok.total, Data: make([]wrikeapi.User, 0, min(len(page), pageSize))}
	more := len(page) > pageSize
	if more {
		page = page[:pageSize]
	}
	// Each user of the page is decoded: a page of users at every size limit
	// would cost more than one request may, so it ends early and the next
	// page token goes on after its last user.
	for i, u := range page {
		if err := meter.Pace(); err != nil {
			return err
		}
		if !meter.Charge(int64(u.jsonSize(""))*cost.DecodeWeight) && i > 0 {
			page, more = page[:i], true
			break
		}
	}
	if more {
		tok.after = page[len(page)-1].seq
		answer.NextPageToken = tok.String()
	}
	for _, u := range page {
		a, err := u.adminFields()
		if err != nil {
			return err
		}
		a.CreatedDate, a.UpdatedDate = formatDate(u.created), formatDate(u.modified)
		answer.Data = append(answer.Data, a)
	}
	writeJSON(w, http.StatusOK, answer)
	return nil
}

// emailDomain is the part of a canonical address after the '@'; "" without one.
func emailDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}
