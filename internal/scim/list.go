package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// ListResponse is a page of query results (RFC 7644 §3.4.2). Resources is
// always written as an array, [] when empty.
type ListResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// NewListResponse builds a ListResponse for one page of resources.
func NewListResponse(total, startIndex int, resources []any) *ListResponse {
	if startIndex < 1 {
		startIndex = 1
	}
	return &ListResponse{
		Schemas:      []string{SchemaListResponse},
		TotalResults: total,
		StartIndex:   startIndex,
		ItemsPerPage: len(resources),
		Resources:    resources,
	}
}

// MarshalJSON keeps schemas and Resources present even when unset or empty.
func (l *ListResponse) MarshalJSON() ([]byte, error) {
	type plain ListResponse
	c := plain(*l)
	if c.Schemas == nil {
		c.Schemas = []string{SchemaListResponse}
	}
	if c.Resources == nil {
		c.Resources = []any{}
	}
	return json.Marshal(c)
}

// QueryOptions are the server's paging limits.
type QueryOptions struct {
	// MaxCount is the largest page; a larger count is lowered to it. It is the
	// filter.maxResults of the ServiceProviderConfig. Zero means 1000.
	MaxCount int
	// DefaultCount is the page size when the request gives no count. Zero means MaxCount.
	DefaultCount int
}

func (o QueryOptions) limits() (def, maxCount int) {
	maxCount = o.MaxCount
	if maxCount <= 0 {
		maxCount = 1000
	}
	def = o.DefaultCount
	if def <= 0 || def > maxCount {
		def = maxCount
	}
	return def, maxCount
}

// Query is a parsed list request: GET query parameters or a POST .search body.
type Query struct {
	Filter         *Filter // nil: every resource
	StartIndex     int     // 1-based, at least 1
	Count          int     // 0 to MaxCount; 0 asks only for totalResults
	Projection     *Projection
	SortBy         *Path // nil: the server's stable order
	SortDescending bool
}

// Window returns the slice bounds [lo:hi] of the page within n ordered results.
func (q *Query) Window(n int) (lo, hi int) {
	lo = q.StartIndex - 1
	if lo > n {
		lo = n
	}
	hi = lo + q.Count
	if hi > n {
		hi = n
	}
	return lo, hi
}

// ParseQuery reads filter, startIndex, count, attributes, excludedAttributes,
// sortBy and sortOrder from URL query values (names case-insensitive).
// startIndex below 1 counts as 1 and a negative count as 0 (RFC 7644
// §3.4.2.4); a count over opts.MaxCount is lowered to it. A value that is
// not a number is 400 invalidValue; a bad filter is 400 invalidFilter.
func ParseQuery(rt *ResourceType, v url.Values, opts QueryOptions) (*Query, error) {
	get := func(name string) (string, bool) {
		if x, ok := v[name]; ok && len(x) > 0 {
			return x[0], true
		}
		for k, x := range v {
			if strings.EqualFold(k, name) && len(x) > 0 {
				return x[0], true
			}
		}
		return "", false
	}
	all := func(name string) []string {
		var out []string
		for k, x := range v {
			if strings.EqualFold(k, name) {
				out = append(out, x...)
			}
		}
		return out
	}
	var r searchRequest
	if s, ok := get("filter"); ok {
		r.Filter = &s
	}
	if s, ok := get("startIndex"); ok {
		r.StartIndex = json.RawMessage(strconv.Quote(s))
	}
	if s, ok := get("count"); ok {
		r.Count = json.RawMessage(strconv.Quote(s))
	}
	r.Attributes = all("attributes")
	r.ExcludedAttributes = all("excludedAttributes")
	if s, ok := get("sortBy"); ok {
		r.SortBy = s
	}
	if s, ok := get("sortOrder"); ok {
		r.SortOrder = s
	}
	return r.query(rt, opts)
}

// ParseSearchRequest reads the body of POST /.search (RFC 7644 §3.4.3), with
// the same rules as ParseQuery. attributes may be a JSON array or a
// comma-separated string; startIndex and count numbers or numeric strings.
func ParseSearchRequest(rt *ResourceType, body []byte, opts QueryOptions) (*Query, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ParseQuery(rt, nil, opts)
	}
	m, err := DecodeObject(body)
	if err != nil {
		return nil, err
	}
	var r searchRequest
	for k, x := range m {
		switch {
		case strings.EqualFold(k, "schemas"):
			list, ok := x.([]any)
			found := false
			for _, s := range list {
				if u, _ := s.(string); strings.EqualFold(u, SchemaSearchRequest) {
					found = true
				}
			}
			if !ok || !found {
				return nil, badRequest(ErrInvalidSyntax, "\"schemas\" must contain %q", SchemaSearchRequest)
			}
		case strings.EqualFold(k, "filter"):
			if x == nil {
				continue
			}
			s, ok := x.(string)
			if !ok {
				return nil, badRequest(ErrInvalidValue, "\"filter\" must be a string")
			}
			r.Filter = &s
		case strings.EqualFold(k, "startIndex"):
			r.StartIndex = rawOf(x)
		case strings.EqualFold(k, "count"):
			r.Count = rawOf(x)
		case strings.EqualFold(k, "attributes"), strings.EqualFold(k, "excludedAttributes"):
			list, err := stringList(k, x)
			if err != nil {
				return nil, err
			}
			if strings.EqualFold(k, "attributes") {
				r.Attributes = list
			} else {
				r.ExcludedAttributes = list
			}
		case strings.EqualFold(k, "sortBy"), strings.EqualFold(k, "sortOrder"):
			if x == nil {
				continue
			}
			s, ok := x.(string)
			if !ok {
				return nil, badRequest(ErrInvalidValue, "%q must be a string", k)
			}
			if strings.EqualFold(k, "sortBy") {
				r.SortBy = s
			} else {
				r.SortOrder = s
			}
		}
	}
	return r.query(rt, opts)
}

func rawOf(x any) json.RawMessage {
	switch v := x.(type) {
	case nil:
		return nil
	case json.Number:
		return json.RawMessage(strconv.Quote(string(v)))
	case string:
		return json.RawMessage(strconv.Quote(v))
	}
	b, _ := json.Marshal(x)
	return b
}

func stringList(name string, x any) ([]string, error) {
	switch v := x.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, badRequest(ErrInvalidValue, "%q must contain attribute names (strings)", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, badRequest(ErrInvalidValue, "%q must be an array of attribute names", name)
}

type searchRequest struct {
	Filter             *string
	StartIndex, Count  json.RawMessage // a quoted string or a JSON value
	Attributes         []string
	ExcludedAttributes []string
	SortBy, SortOrder  string
}

func intParam(name string, raw json.RawMessage) (int, bool, error) {
	if raw == nil {
		return 0, false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			if strings.HasPrefix(s, "-") {
				return -1 << 31, true, nil
			}
			return 1<<31 - 1, true, nil
		}
		return 0, false, badRequest(ErrInvalidValue, "%s must be an integer, not %q", name, clip(s, 40))
	}
	if n > 1<<31-1 {
		n = 1<<31 - 1
	}
	if n < -1<<31 {
		n = -1 << 31
	}
	return int(n), true, nil
}

func (r searchRequest) query(rt *ResourceType, opts QueryOptions) (*Query, error) {
	def, maxCount := opts.limits()
	q := &Query{StartIndex: 1, Count: def}
	if r.Filter != nil && strings.TrimSpace(*r.Filter) != "" {
		f, err := ParseFilter(rt, *r.Filter)
		if err != nil {
			return nil, err
		}
		q.Filter = f
	}
	if n, ok, err := intParam("startIndex", r.StartIndex); err != nil {
		return nil, err
	} else if ok && n > 1 {
		q.StartIndex = n
	}
	if n, ok, err := intParam("count", r.Count); err != nil {
		return nil, err
	} else if ok {
		q.Count = min(max(n, 0), maxCount)
	}
	p, err := ParseProjection(rt, r.Attributes, r.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	q.Projection = p
	if strings.TrimSpace(r.SortBy) != "" {
		sp, err := ParsePath(rt, strings.TrimSpace(r.SortBy))
		if err != nil || sp.filter != nil || sp.ref.attr == nil || sp.ref.attr.returned() == ReturnedNever {
			return nil, badRequest(ErrInvalidValue, "sortBy %q is not an attribute of %s", clip(r.SortBy, 100), rt.Name)
		}
		q.SortBy = sp
	}
	switch {
	case r.SortOrder == "", strings.EqualFold(r.SortOrder, "ascending"):
	case strings.EqualFold(r.SortOrder, "descending"):
		q.SortDescending = true
	default:
		return nil, badRequest(ErrInvalidValue, "sortOrder must be \"ascending\" or \"descending\", not %q", clip(r.SortOrder, 40))
	}
	return q, nil
}
