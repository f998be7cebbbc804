package scim

import (
	"net/http"
	"net/url"
	"testing"
)

func TestParseQuery(t *testing.T) {
	opts := QueryOptions{MaxCount: 200, DefaultCount: 100}
	tests := []struct {
		query          string
		start, count   int
		filter, sortBy string
		desc           bool
	}{
		{``, 1, 100, "", "", false},
		{`startIndex=1&count=1`, 1, 1, "", "", false},
		{`startIndex=0&count=-5`, 1, 0, "", "", false},
		{`startIndex=-3&count=0`, 1, 0, "", "", false},
		{`startIndex=11&count=5000`, 11, 200, "", "", false},
		{`count=99999999999999999999`, 1, 200, "", "", false},
		{`filter=userName+eq+"a@b.c"`, 1, 100, `userName eq "a@b.c"`, "", false},
		{`filter=`, 1, 100, "", "", false},
		{`Filter=title+pr&StartIndex=3&COUNT=2`, 3, 2, `title pr`, "", false},
		{`sortBy=name.familyName&sortOrder=DESCENDING`, 1, 100, "", "name.familyName", true},
	}
	for _, tc := range tests {
		v, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseQuery(UserResourceType, v, opts)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if q.StartIndex != tc.start || q.Count != tc.count || q.Filter.String() != tc.filter || q.SortDescending != tc.desc {
			t.Errorf("%s: got start %d count %d filter %q desc %v", tc.query, q.StartIndex, q.Count, q.Filter.String(), q.SortDescending)
		}
		if got := ""; q.SortBy != nil {
			got = q.SortBy.String()
			if got != tc.sortBy {
				t.Errorf("%s: sortBy %q", tc.query, got)
			}
		} else if tc.sortBy != "" {
			t.Errorf("%s: no sortBy", tc.query)
		}
	}
	bad := []struct{ query, scimType, detail string }{
		{`count=ten`, ErrInvalidValue, `count must be an integer, not "ten"`},
		{`startIndex=1.5`, ErrInvalidValue, `startIndex must be an integer`},
		{`filter=userName+eq`, ErrInvalidFilter, "comparison value"},
		{`sortOrder=up`, ErrInvalidValue, "sortOrder"},
		{`sortBy=nosuch`, ErrInvalidValue, "sortBy"},
		{`sortBy=password`, ErrInvalidValue, "sortBy"},
		{`attributes=nosuch`, ErrInvalidValue, `unknown attribute "nosuch"`},
	}
	for _, tc := range bad {
		v, _ := url.ParseQuery(tc.query)
		_, err := ParseQuery(UserResourceType, v, opts)
		wantError(t, err, http.StatusBadRequest, tc.scimType, tc.detail)
	}
}

func TestParseSearchRequest(t *testing.T) {
	q, err := ParseSearchRequest(UserResourceType, []byte(`{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
	  "attributes": ["displayName", "userName"],
	  "excludedAttributes": "title",
	  "filter": "displayName sw \"smith\"",
	  "startIndex": 1,
	  "count": "10"
	}`), QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Filter.String() != `displayName sw "smith"` || q.Count != 10 || q.StartIndex != 1 {
		t.Errorf("got %+v", q)
	}
	sameJSON(t, q.Projection.Apply(babs(t)), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	  "id":"2819c223-7f76-453a-919d-413861904646","userName":"Bjensen@Example.com","displayName":"Babs Jensen"}`)
	for body, detail := range map[string]string{
		`{"schemas":["urn:x"]}`:            "SearchRequest",
		`{"count": true}`:                  "count must be an integer",
		`{"filter": 3}`:                    `"filter" must be a string`,
		`{"attributes": [1]}`:              "attribute names",
		`{"filter": "userName eq \"a\"",}`: "malformed JSON",
	} {
		_, err := ParseSearchRequest(UserResourceType, []byte(body), QueryOptions{})
		if err == nil {
			t.Errorf("%s accepted", body)
			continue
		}
		if e, _ := AsError(err); e == nil || e.Status != 400 || e.Detail == "" {
			t.Errorf("%s: %v", body, err)
		}
		wantError(t, err, 400, e(err), detail)
	}
	// An empty body is an unfiltered first page.
	q, err = ParseSearchRequest(UserResourceType, nil, QueryOptions{MaxCount: 50})
	if err != nil || q.Count != 50 || q.Filter != nil {
		t.Errorf("empty body: %+v %v", q, err)
	}
}

func e(err error) string {
	x, _ := AsError(err)
	if x == nil {
		return ""
	}
	return x.ScimType
}

func TestQueryWindow(t *testing.T) {
	for _, tc := range []struct{ start, count, n, lo, hi int }{
		{1, 10, 25, 0, 10},
		{21, 10, 25, 20, 25},
		{30, 10, 25, 25, 25},
		{1, 0, 25, 0, 0},
	} {
		q := &Query{StartIndex: tc.start, Count: tc.count}
		if lo, hi := q.Window(tc.n); lo != tc.lo || hi != tc.hi {
			t.Errorf("%+v: got %d:%d", tc, lo, hi)
		}
	}
}

func TestListResponseJSON(t *testing.T) {
	sameJSON(t, NewListResponse(0, 1, nil), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	sameJSON(t, NewListResponse(7, 3, []any{map[string]any{"id": "a"}}), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":7,"startIndex":3,"itemsPerPage":1,"Resources":[{"id":"a"}]}`)
	sameJSON(t, &ListResponse{}, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":0,"itemsPerPage":0,"Resources":[]}`)
}
