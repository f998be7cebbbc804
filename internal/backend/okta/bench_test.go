package okta_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// parallel runs fn(i) for i in [0, n) on workers goroutines.
func parallel(b *testing.B, n, workers int, fn func(i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// BenchmarkProvisioning measures, in one run: assigning a group of 10,000
// users with Create users enabled until all are provisioned in Wrike; a
// profile change of 1,000 users until it has landed in Wrike; and, for
// comparison, the Wrike face's own SCIM POST throughput. Run with
// -benchtime=1x: each iteration builds a 10,000-user org.
func BenchmarkProvisioning(b *testing.B) {
	const groupSize, changed, direct, workers = 10_000, 1_000, 2_000, 16
	for range b.N {
		b.StopTimer()
		o := newConnectedOrg(b)
		group := o.group("Everyone at Acme")
		ids := make([]string, groupSize)
		parallel(b, groupSize, workers, func(i int) error {
			var u struct{ ID string }
			err := o.do("POST", "/api/v1/users?activate=true", map[string]any{
				"profile":  person(fmt.Sprintf("user%05d@acme.example.com", i)),
				"groupIds": []string{group},
			}).Check(200, &u)
			ids[i] = u.ID
			return err
		})

		b.StartTimer()
		start := time.Now()
		o.assignGroup(group, map[string]any{"profile": map[string]string{"userType": "External"}})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		if err := o.env.Backend.Okta.Engine().WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
		assign := time.Since(start)

		start = time.Now()
		parallel(b, changed, workers, func(i int) error {
			return o.do("POST", "/api/v1/users/"+ids[i], map[string]any{"profile": map[string]string{"title": "Principal Engineer"}}).Check(200, nil)
		})
		if err := o.env.Backend.Okta.Engine().WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
		profile := time.Since(start)
		cancel()
		b.StopTimer()

		var acct struct{ Data []struct{ ActiveMembers int } }
		o.env.Admin(b, "GET", "/account", nil, &acct)
		if n := acct.Data[0].ActiveMembers; n != groupSize {
			b.Fatalf("%d active members in Wrike, want %d", n, groupSize)
		}
		if failed := o.wait(); failed != 0 {
			b.Fatalf("%d provisioning failures", failed)
		}

		// The Wrike face's own SCIM POST throughput, same machine, same run.
		start = time.Now()
		parallel(b, direct, workers, func(i int) error {
			login := fmt.Sprintf("direct%05d@acme.example.com", i)
			return request("POST", o.scim.BaseURL+"/Users", "Bearer "+o.scim.Token, map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": login, "active": true,
				"name":   map[string]string{"givenName": "Direct", "familyName": "User"},
				"emails": []map[string]any{{"value": login, "primary": true, "type": "work"}},
			}).Check(201, nil)
		})
		wrikePOST := float64(direct) / time.Since(start).Seconds()
		provisioned := float64(groupSize) / assign.Seconds()

		b.ReportMetric(assign.Seconds(), "s/assign-10k")
		b.ReportMetric(profile.Seconds(), "s/profile-1k")
		b.ReportMetric(provisioned, "provisioned/s")
		b.ReportMetric(wrikePOST, "wrike-POST/s")
		b.ReportMetric(provisioned/wrikePOST, "ratio")
	}
}
