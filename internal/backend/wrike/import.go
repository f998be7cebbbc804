package wrike

import (
	"context"
	"fmt"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// ImportUsers provisions n users in bulk, to seed large data sets (the load
// program's -seed): body(i) is a POST /Users body, checked and stored
// exactly as POST /Users through provider's SCIM URL would, but batch users
// share one durable transaction. A batch with a bad body or a taken userName
// stores nothing, and ImportUsers stops with that error; the batches before
// it are kept. It returns how many users were stored.
func (s *Server) ImportUsers(ctx context.Context, provider string, n, batch int, body func(i int) []byte) (int, error) {
	in, ok := s.integration(provider)
	if !ok {
		return 0, unknownProvider(provider)
	}
	c := scimCall{provider: in.Provider, integration: in}
	batch = max(batch, 1)
	users := make([]*user, 0, batch)
	for start := 0; start < n; start += batch {
		users = users[:0]
		end := min(start+batch, n)
		for i := start; i < end; i++ {
			u, _, err := s.newUser(c, body(i))
			if err != nil {
				return start, fmt.Errorf("wrike: import user %d: %w", i, err)
			}
			users = append(users, u)
		}
		recs := make([]*store.WrikeUser, len(users))
		for i, u := range users {
			rec := u.toStore()
			recs[i] = &rec
		}
		if err := s.store.CreateWrikeUsers(ctx, recs); err != nil {
			return start, fmt.Errorf("wrike: import users %d to %d: %w", start, end-1, err)
		}
		for i, u := range users {
			u.seq = recs[i].Seq
			s.users.put(u)
		}
	}
	return n, nil
}
