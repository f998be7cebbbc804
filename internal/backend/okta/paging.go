package okta

import (
	"net/http"
	"net/url"
	"strconv"
)

const (
	defaultLimit = 200
	maxLimit     = 200
)

// pageParams reads limit and after. A bad limit is E0000001.
func pageParams(r *http.Request, def, most int) (after string, limit int, err error) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 {
			return "", 0, invalid("limit", "limit: must be a positive integer, got "+strconv.Quote(v))
		}
		limit = min(n, most)
	}
	return q.Get("after"), limit, nil
}

// writePage answers a list call the way Okta pages: items holds at most
// limit+1 entries, the extra one only telling that a next page exists, and
// the key of the last entry kept is the next page's cursor.
func writePage[T, J any](w http.ResponseWriter, r *http.Request, items []T, limit int, key func(T) string, render func(T) J) {
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = key(items[limit-1])
	}
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, render(it))
	}
	setNextLink(w, r, next)
	writeJSON(w, http.StatusOK, out)
}

// setNextLink adds Okta's Link headers: self always, next when another page
// may follow, carrying the cursor in after.
func setNextLink(w http.ResponseWriter, r *http.Request, next string) {
	self := baseURL(r) + r.URL.RequestURI()
	w.Header().Add("Link", "<"+self+">; rel=\"self\"")
	if next == "" {
		return
	}
	q := r.URL.Query()
	q.Set("after", next)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Add("Link", "<"+baseURL(r)+u.String()+">; rel=\"next\"")
}
