package okta_test

import (
	"slices"
	"testing"
)

// TestAppUsersPagedAcrossDirectAndGroupAssignments: the app's users, paged
// by limit and after, come once each in id order whether assigned directly,
// through one group or through both.
func TestAppUsersPagedAcrossDirectAndGroupAssignments(t *testing.T) {
	o := newEmptyOrg(t)
	demo, _, err := o.env.Backend.Okta.SeedDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	app := "/api/v1/apps/" + demo.AppID
	o.call(200, "PUT", app+"/groups/"+demo.Groups["Engineering"], map[string]any{}, nil)
	// Ann is in Engineering too; Grace only in Sales, which is not assigned.
	for _, login := range []string{"ann.lee@acme.example.com", "grace.kim@acme.example.com"} {
		o.call(200, "POST", app+"/users", map[string]any{"id": demo.Users[login], "scope": "USER"}, nil)
	}
	var want []string
	for _, login := range []string{"ann.lee", "ben.ortiz", "carla.diaz", "dev.patel", "emma.stone", "felix.wu", "grace.kim"} {
		want = append(want, demo.Users[login+"@acme.example.com"])
	}
	want = append(want, demo.Users["pat.quinn@partner.example.net"])
	slices.Sort(want)
	for _, limit := range []string{"1", "2", "3", "5"} {
		var got []string
		for _, u := range allPages[struct{ ID string }](o, app+"/users?limit="+limit, 11) {
			got = append(got, u.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %s: app users %v, want %v (8: Engineering's seven and Grace, once each, in id order)", limit, got, want)
		}
	}
}
