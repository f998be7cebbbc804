package okta_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestEngineConvergesUnderConcurrentChanges: eight clients change
// group memberships, direct assignments, group assignments and profiles at
// once (each owning its users, so the intended end state is known), while
// the engine pushes. When the queue is idle, Wrike holds exactly the users
// that were ever assigned, active exactly when assigned now, each with its
// last profile, and no task failed.
func TestEngineConvergesUnderConcurrentChanges(t *testing.T) {
	o := newConnectedOrg(t)
	g1, g2 := o.group("Engineering"), o.group("Sales")
	o.assignGroup(g1, map[string]any{})
	const clients, perClient, ops = 8, 5, 30
	type want struct {
		login        string
		inG1, inG2   bool
		direct       bool
		everAssigned bool
		title        string
	}
	states := make([][]*want, clients)
	ids := make([][]string, clients)
	for c := range clients {
		for u := range perClient {
			login := fmt.Sprintf("c%d-u%d@acme.example.com", c, u)
			ids[c] = append(ids[c], o.user(withTitle(person(login), "t0")))
			states[c] = append(states[c], &want{login: login, title: "t0"})
		}
	}
	// Clients change only their own users, under a read lock; the Sales
	// group's assignment changes under the write lock, so every recorded
	// state is one the org really passed through.
	var g2Assigned bool
	var g2Mu sync.RWMutex
	var wg sync.WaitGroup
	errs := make(chan string, clients*ops+ops)
	call := func(want int, method, path string, body any) {
		if a := request(method, o.env.OktaURL+path, "SSWS "+o.env.OktaAPIToken, body); a.Status != want {
			errs <- fmt.Sprintf("%s %s: %d %s", method, path, a.Status, a.Raw)
		}
	}
	// toggleMember adds the user to the group or takes it out, as *in says
	// after the flip.
	toggleMember := func(in *bool, group, id string) {
		*in = !*in
		method := "DELETE"
		if *in {
			method = "PUT"
		}
		call(204, method, "/api/v1/groups/"+group+"/users/"+id, nil)
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for i := range ops {
				u := rng.IntN(perClient)
				s, id := states[c][u], ids[c][u]
				g2Mu.RLock()
				switch rng.IntN(5) {
				case 0:
					toggleMember(&s.inG1, g1, id)
				case 1:
					toggleMember(&s.inG2, g2, id)
				case 2:
					s.direct = !s.direct
					if s.direct {
						call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": id, "scope": "USER"})
					} else {
						call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+id, nil)
					}
				default:
					s.title = fmt.Sprintf("t%d", i+1)
					call(200, "POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]string{"title": s.title}})
				}
				if s.inG1 || s.direct || (s.inG2 && g2Assigned) {
					s.everAssigned = true
				}
				g2Mu.RUnlock()
			}
		}()
	}
	// One more client assigns and unassigns the Sales group to the app.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 12 {
			g2Mu.Lock()
			g2Assigned = i%2 == 0
			if g2Assigned {
				call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g2, map[string]any{})
			} else {
				call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+g2, nil)
			}
			for c := range clients {
				for _, s := range states[c] {
					if s.inG2 && g2Assigned {
						s.everAssigned = true
					}
				}
			}
			g2Mu.Unlock()
			time.Sleep(15 * time.Millisecond)
		}
	}()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	if failed := o.wait(); failed != 0 {
		t.Fatalf("%d tasks failed after the changes", failed)
	}
	var users struct {
		Data []struct {
			UserName, Title string
			Active          bool
		} `json:"data"`
	}
	o.env.Admin(t, "GET", "/users", nil, &users)
	inWrike := map[string]int{}
	for _, u := range users.Data {
		inWrike[u.UserName]++
	}
	assignedNow, checked := 0, 0
	for c := range clients {
		for _, s := range states[c] {
			assigned := s.inG1 || s.direct || (s.inG2 && g2Assigned)
			var got *struct {
				UserName, Title string
				Active          bool
			}
			for i := range users.Data {
				if users.Data[i].UserName == s.login {
					got = &users.Data[i]
				}
			}
			switch {
			case inWrike[s.login] > 1:
				t.Errorf("%s is in Wrike %d times", s.login, inWrike[s.login])
			case assigned && (got == nil || !got.Active || got.Title != s.title):
				t.Errorf("%s is assigned with title %s; Wrike has %+v", s.login, s.title, got)
			case !assigned && got != nil && got.Active:
				t.Errorf("%s is unassigned but active in Wrike", s.login)
			case !s.everAssigned && got != nil:
				t.Errorf("%s was never assigned but is in Wrike", s.login)
			}
			if assigned {
				assignedNow++
			}
			checked++
		}
	}
	t.Logf("%d users checked, %d assigned at the end, %d in Wrike", checked, assignedNow, len(users.Data))
}
