package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// send is a goroutine-safe API call: it returns an error instead of failing.
func send(client *http.Client, method, u, auth string, body any, want int, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, u, bytes.NewReader(b))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d: %s", method, u, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2}}
	for range b.N {
		b.StopTimer()
		o := newConnectedOrg(b)
		group := o.group("Everyone at Acme")
		okta := "SSWS " + o.env.OktaAPIToken
		ids := make([]string, groupSize)
		parallel(b, groupSize, workers, func(i int) error {
			var u struct{ ID string }
			err := send(client, "POST", o.env.OktaURL+"/api/v1/users?activate=true", okta, map[string]any{
				"profile":  person(fmt.Sprintf("user%05d@acme.example.com", i)),
				"groupIds": []string{group},
			}, 200, &u)
			ids[i] = u.ID
			return err
		})

		b.StartTimer()
		start := time.Now()
		o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+group, map[string]any{"profile": map[string]string{"userType": "External"}}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		if err := o.env.Backend.Okta.Engine().WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
		assign := time.Since(start)

		start = time.Now()
		parallel(b, changed, workers, func(i int) error {
			return send(client, "POST", o.env.OktaURL+"/api/v1/users/"+ids[i], okta,
				map[string]any{"profile": map[string]string{"title": "Principal Engineer"}}, 200, nil)
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
			return send(client, "POST", o.scim.BaseURL+"/Users", "Bearer "+o.scim.Token, map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": login, "active": true,
				"name":   map[string]string{"givenName": "Direct", "familyName": "User"},
				"emails": []map[string]any{{"value": login, "primary": true, "type": "work"}},
			}, 201, nil)
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
