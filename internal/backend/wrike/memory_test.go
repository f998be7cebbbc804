package wrike

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// loadUserBody is the load program's user: Okta's shape with the
// enterprise extension (internal/cmd/scimload).
func loadUserBody(i int) []byte {
	n := fmt.Sprintf("user%06d@load.example.com", i)
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
		`"userName":%q,"externalId":"ext-%d","name":{"givenName":"Given%d","familyName":"Family%d"},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"Given%d Family%d","title":"Engineer",`+
		`"phoneNumbers":[{"primary":true,"value":"+1 555 %04d","type":"work"}],`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"R&D"},"active":true}`,
		n, i, i, i, n, i, i, i%10000)
}

// BenchmarkUserMemory reports the heap one indexed user costs (users plus
// every index), the figure that bounds the backend's memory as users grow.
func BenchmarkUserMemory(b *testing.B) {
	const users = 100_000
	for range b.N {
		s := &Server{users: newUserIndex(), newID: NewID, now: time.Now,
			domains: []store.WrikeApprovedDomain{{Domain: "load.example.com"}}}
		c := scimCall{provider: "okta", integration: store.WrikeSCIMIntegration{Provider: "okta", DefaultUserType: "Regular"}}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range users {
			u, _, err := s.newUser(c, loadUserBody(i))
			if err != nil {
				b.Fatal(err)
			}
			u.seq = int64(i + 1)
			// As loaded from the store: the stored form, read back.
			rec, err := userFromStore(u.toStore())
			if err != nil {
				b.Fatal(err)
			}
			s.users.put(rec)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/users, "heap-bytes/user")
		runtime.KeepAlive(s)
	}
}
