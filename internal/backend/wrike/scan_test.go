package wrike

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// TestScanWaitsForTheRunningOne: an unindexed query waits for the heavy
// request running (the gate's one slot is held here), then answers 503
// with a retry hint; an indexed one does not wait; a client that leaves
// stops the wait.
func TestScanWaitsForTheRunningOne(t *testing.T) {
	gate := cost.NewGate(cost.GateConfig{Slots: 1, Wait: time.Millisecond})
	s := &Server{users: newUserIndex(), gate: gate, scanBudget: DefaultScanBudget}
	s.users.put(&user{seq: 1, id: "u1", userNameLower: "a@b.c", userType: "Regular", provider: "okta",
		doc: packUserDoc([]byte(`{"userName":"a@b.c","meta":{"resourceType":"User","created":"x"}}`))})
	query := func(filter string) *scim.Query {
		q, err := scim.ParseQuery(userRT, url.Values{"filter": {filter}}, queryOptions)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	bg := context.Background()
	meter := func(g *cost.Gate, ctx context.Context) *cost.Meter {
		m := g.Meter(ctx, DefaultScanBudget)
		t.Cleanup(m.Close)
		return m
	}
	running := gate.Meter(bg, 0) // a heavy request is running
	if err := running.Hold(); err != nil {
		t.Fatal(err)
	}
	_, err := s.matchUsers(scimCall{}, query(`title pr`), meter(gate, bg))
	if e := scimError(err); e.Status != http.StatusServiceUnavailable || e.Detail == "" {
		t.Fatalf("waiting scan: %v → %+v", err, e)
	}
	if got, err := s.matchUsers(scimCall{}, query(`userName eq "A@b.c" and title pr`), meter(gate, bg)); err != nil || len(got) != 0 {
		t.Fatalf("indexed query while a scan runs: %v %v", got, err)
	}
	if got, err := s.matchUsers(scimCall{}, query(`userName eq "A@b.c"`), meter(gate, bg)); err != nil || len(got) != 1 {
		t.Fatalf("indexed lookup while a scan runs: %v %v", got, err)
	}
	patient := cost.NewGate(cost.GateConfig{Slots: 1, Wait: time.Hour}) // a wait that only the client's leaving ends
	if err := meter(patient, bg).Hold(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := s.matchUsers(scimCall{}, query(`title pr`), meter(patient, ctx)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a gone client: %v", err)
	}
	running.Close() // the running request ends
	if got, err := s.matchUsers(scimCall{}, query(`userName pr`), meter(gate, bg)); err != nil || len(got) != 1 {
		t.Fatalf("scan after the slot is free: %v %v", got, err)
	}
}
