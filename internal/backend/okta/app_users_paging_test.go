package okta_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestAppUsersPagedAcrossDirectAndGroupAssignments: the app's users, paged
// by limit and after, come once each in id order whether assigned directly,
// through one group or through both.
func TestAppUsersPagedAcrossDirectAndGroupAssignments(t *testing.T) {
	env := backendtest.Start(t)
	demo, _, err := env.Backend.Okta.SeedDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string) *http.Response {
		req, err := http.NewRequest(method, env.OktaURL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "SSWS "+env.OktaAPIToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		return resp
	}
	app := "/api/v1/apps/" + demo.AppID
	_ = call("PUT", app+"/groups/"+demo.Groups["Engineering"], `{}`).Body.Close()
	// Ann is in Engineering too; Grace only in Sales, which is not assigned.
	for _, login := range []string{"ann.lee@acme.example.com", "grace.kim@acme.example.com"} {
		_ = call("POST", app+"/users", `{"id":"`+demo.Users[login]+`","scope":"USER"}`).Body.Close()
	}
	var want []string
	for _, login := range []string{"ann.lee", "ben.ortiz", "carla.diaz", "dev.patel", "emma.stone", "felix.wu", "grace.kim"} {
		want = append(want, demo.Users[login+"@acme.example.com"])
	}
	want = append(want, demo.Users["pat.quinn@partner.example.net"])
	slices.Sort(want)
	for _, limit := range []string{"1", "2", "3", "5"} {
		var got []string
		for path, pages := app+"/users?limit="+limit, 0; path != ""; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			resp := call("GET", path, "")
			var page []struct{ ID string }
			if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			for _, u := range page {
				got = append(got, u.ID)
			}
			path = ""
			for _, l := range resp.Header.Values("Link") {
				if strings.Contains(l, `rel="next"`) {
					path = strings.TrimPrefix(l[strings.Index(l, "<")+1:strings.Index(l, ">")], env.OktaURL)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %s: app users %v, want %v (8: Engineering's seven and Grace, once each, in id order)", limit, got, want)
		}

	}
}
