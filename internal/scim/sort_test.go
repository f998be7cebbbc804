package scim

import (
	"net/url"
	"slices"
	"testing"
)

func TestQueryCompare(t *testing.T) {
	users := []map[string]any{
		decode(t, `{"id":"1","userName":"carol@x","name":{"familyName":"Zed"},"emails":[{"value":"b@x"},{"value":"z@x","primary":true}],"meta":{"created":"2024-01-02T00:00:00Z"}}`),
		decode(t, `{"id":"2","userName":"Alice@x","emails":[{"value":"a@x"}],"meta":{"created":"2024-01-03T00:00:00Z"}}`),
		decode(t, `{"id":"3","userName":"bob@x","name":{"familyName":"adams"},"meta":{"created":"2023-12-31T23:00:00-02:00"}}`),
	}
	ids := func(sortBy, order string) []string {
		q, err := ParseQuery(UserResourceType, url.Values{"sortBy": {sortBy}, "sortOrder": {order}}, QueryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := slices.Clone(users)
		slices.SortStableFunc(s, q.Compare)
		var out []string
		for _, u := range s {
			out = append(out, u["id"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		sortBy, order string
		want          []string
	}{
		{"userName", "", []string{"2", "3", "1"}},           // case-insensitive
		{"userName", "descending", []string{"1", "3", "2"}}, //
		{"name.familyName", "", []string{"3", "1", "2"}},    // unassigned last
		{"emails", "", []string{"2", "1", "3"}},             // the primary value, z@x, for carol
		{"meta.created", "", []string{"3", "1", "2"}},       // instants, not text
		{"id", "descending", []string{"3", "2", "1"}},
	} {
		if got := ids(tc.sortBy, tc.order); !slices.Equal(got, tc.want) {
			t.Errorf("sortBy=%s %s: %v, want %v", tc.sortBy, tc.order, got, tc.want)
		}
	}
	if (&Query{}).Compare(users[0], users[1]) != 0 {
		t.Error("no sortBy must keep the order")
	}
}
