package okta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestHardeningEngineHonoursRetryAfter: Wrike's SCIM service answers the
// first create of every user with 429 and Retry-After: 1. The engine
// retries each create no sooner than the server asked, every user ends up
// provisioned once, and no task fails.
func TestHardeningEngineHonoursRetryAfter(t *testing.T) {
	o := newConnectedOrg(t)
	var mu sync.Mutex
	first := map[string]time.Time{}
	var early []string
	var limited, retried int
	decide := func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Users") {
			return nil
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var u struct{ UserName string }
		_ = json.Unmarshal(body, &u)
		mu.Lock()
		defer mu.Unlock()
		at, seen := first[u.UserName]
		switch {
		case !seen:
			first[u.UserName] = time.Now()
			limited++
			h := http.Header{}
			h.Set("Retry-After", "1")
			h.Set("Content-Type", "application/scim+json")
			return &reliabilitytest.Fault{Status: http.StatusTooManyRequests, Header: h,
				Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"slow down"}`}
		case time.Since(at) < time.Second:
			early = append(early, fmt.Sprintf("%s after %v", u.UserName, time.Since(at)))
		default:
			retried++
		}
		return nil
	}
	proxy := reliabilitytest.NewFaultProxy(t, o.env.WrikeURL, decide)
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/connections/default?activate=true",
		map[string]any{"baseUrl": proxy.URL + "/scim/okta/v2", "profile": map[string]string{"authScheme": "TOKEN", "token": o.scim.Token}}, nil)
	g := o.group("Engineering")
	const n = 12
	for i := range n {
		id := o.user(person(fmt.Sprintf("patient%d@acme.example.com", i)))
		o.call(204, "PUT", "/api/v1/groups/"+g+"/users/"+id, nil, nil)
	}
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g, map[string]any{}, nil)
	var counts struct{ Pending, Failed int }
	o.call(200, "GET", "/api/v1/_backend/provisioning/wait?timeout=60s", nil, &counts)
	if counts.Pending != 0 || counts.Failed != 0 {
		t.Fatalf("queue: %d pending, %d failed", counts.Pending, counts.Failed)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(early) > 0 {
		t.Fatalf("the engine came back before Retry-After: %s", strings.Join(early, "; "))
	}
	var users struct {
		Data []struct{ UserName string } `json:"data"`
	}
	o.env.Admin(t, "GET", "/users", nil, &users)
	if len(users.Data) != n || limited != n || retried != n {
		t.Fatalf("%d users in Wrike, %d creates answered 429, %d retried after the wait; want %d each", len(users.Data), limited, retried, n)
	}
	t.Logf("%d creates answered 429 Retry-After: 1, %d retried no sooner, 0 early", limited, retried)
}
