package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestOktaAppUsersPageMatchesOneByOne: a page of an app's users, read with
// one query per table, says for each user what OktaAppUser says: direct,
// through groups (highest priority first, direct attributes winning), both,
// with or without the engine's state, with or without a queued task.
func TestOktaAppUsersPageMatchesOneByOne(t *testing.T) {
	s := NewOktaStore(openTest(t))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateOktaApp(ctx, OktaApp{ID: "0oa1", Name: "wrike", Label: "Wrike", Status: "ACTIVE", SignOnMode: "SAML_2_0", Created: "t0", LastUpdated: "t0"}))
	var users []OktaUser
	for i := range 12 {
		users = append(users, OktaUser{ID: fmt.Sprintf("00u%02d", i), Status: "ACTIVE", Profile: map[string]string{"login": fmt.Sprintf("u%d@x.example", i)}, Created: "t0", LastUpdated: "t0"})
	}
	_, err := s.CreateOktaUsers(ctx, users, nil)
	must(err)
	for i, g := range []string{"00gA", "00gB"} {
		must(s.CreateOktaGroup(ctx, OktaGroup{ID: g, Type: "OKTA_GROUP", Name: g, Created: "t0", LastUpdated: "t0", LastMembershipUpdated: "t0"}))
		_, _, err := s.PutOktaAppGroup(ctx, OktaAppGroup{AppID: "0oa1", GroupID: g, Priority: i,
			Profile: map[string]string{"userType": []string{"External", "Collaborator"}[i], "title": g}, Created: fmt.Sprintf("t%d", i+1), LastUpdated: "t3"})
		must(err)
	}
	for i, u := range users {
		if i%3 != 2 { // 0, 1: direct
			_, err := s.PutOktaAppUser(ctx, "0oa1", u.ID, map[string]string{"userType": "Regular"}, "t4")
			must(err)
		}
		if i%2 == 1 { // odd: in group A, some in B too
			_, err := s.SetOktaGroupMember(ctx, "00gA", u.ID, true, "t5")
			must(err)
		}
		if i%4 == 2 || i%6 == 5 { // 5 and 11 through both groups
			_, err := s.SetOktaGroupMember(ctx, "00gB", u.ID, true, "t5")
			must(err)
		}
	}
	tasks, err := s.PendingOktaTasks(ctx)
	must(err)
	for _, task := range tasks {
		if task.UserID >= "00u06" {
			continue // left queued: listed as pending
		}
		outcome := OktaTaskOutcome{AppID: task.AppID, UserID: task.UserID, Version: task.Version, Done: true}
		if task.UserID == "00u01" {
			outcome.State = OktaAppUserState{AppID: "0oa1", UserID: "00u01", ExternalID: "w1", RemoteActive: true, Status: "PROVISIONED", SyncState: "SYNCHRONIZED", StatusChanged: "t6"}
		}
		_, err := s.SaveOktaTaskOutcome(ctx, outcome)
		must(err)
	}

	// Both ways of reading a page: one page per source (few groups) and
	// the union (many groups).
	listings := map[int][]OktaAppUser{}
	defer func(n int) { mergedPageMaxGroups = n }(mergedPageMaxGroups)
	for _, maxGroups := range []int{32, 0} {
		mergedPageMaxGroups = maxGroups
		for after := ""; ; {
			page, err := s.OktaAppUsers(ctx, "0oa1", after, 4)
			must(err)
			listings[maxGroups] = append(listings[maxGroups], page...)
			if len(page) < 4 {
				break
			}
			after = page[len(page)-1].UserID
		}
	}
	var want []OktaAppUser
	for _, u := range users {
		au, err := s.OktaAppUser(ctx, "0oa1", u.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		must(err)
		want = append(want, au)
	}
	for maxGroups, listed := range listings {
		if len(want) < 8 || !reflect.DeepEqual(listed, want) {
			t.Errorf("listed (merging pages up to %d groups):\n%+v\none by one:\n%+v", maxGroups, listed, want)
		}
	}
}

// TestUserGroupsOfAppStartsFromTheUser: looking up a user's group
// assignments to an app starts from the user's memberships, so its cost
// does not grow with the number of groups assigned to the app (2,000 groups
// made every assignment and every page of app users 2,000 probes).
func TestUserGroupsOfAppStartsFromTheUser(t *testing.T) {
	db := openTest(t)
	rows, err := db.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN SELECT g.profile FROM `+userGroupsOfApp+` WHERE m.user_id = ?`, "0oa1", "00u1")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if len(steps) != 2 || !strings.HasPrefix(steps[0], "SEARCH m USING COVERING INDEX okta_group_members_user") ||
		!strings.HasPrefix(steps[1], "SEARCH g USING PRIMARY KEY (app_id=? AND group_id=?)") {
		t.Errorf("query plan %q: want the user's memberships first, then each one's group assignment by key", steps)
	}
}
