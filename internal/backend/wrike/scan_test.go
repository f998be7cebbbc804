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

// TestScanWaitsForTheRunningOne: an unindexed query waits for the one
// running (the slot is held here), then answers 503 with a retry hint;
// an indexed one does not wait; a client that leaves stops the wait.
func TestScanWaitsForTheRunningOne(t *testing.T) {
	s := &Server{users: newUserIndex(), scans: make(chan struct{}, 1), scanWait: time.Millisecond, scanBudget: DefaultScanBudget}
	s.users.put(&user{seq: 1, id: "u1", userNameLower: "a@b.c", userType: "Regular", provider: "okta",
		doc: packUserDoc([]byte(`{"userName":"a@b.c","meta":{"resourceType":"User","created":"x"}}`))})
	query := func(filter string) *scim.Query {
		q, err := scim.ParseQuery(userRT, url.Values{"filter": {filter}}, queryOptions)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	s.scans <- struct{}{} // a scan is running
	_, err := s.matchUsers(context.Background(), scimCall{}, query(`title pr`), cost.NewMeter(DefaultScanBudget))
	if e := scimError(err); e.Status != http.StatusServiceUnavailable || e.Detail == "" {
		t.Fatalf("waiting scan: %v → %+v", err, e)
	}
	if got, err := s.matchUsers(context.Background(), scimCall{}, query(`userName eq "A@b.c" and title pr`), cost.NewMeter(DefaultScanBudget)); err != nil || len(got) != 0 {
		t.Fatalf("indexed query while a scan runs: %v %v", got, err)
	}
	if got, err := s.matchUsers(context.Background(), scimCall{}, query(`userName eq "A@b.c"`), cost.NewMeter(DefaultScanBudget)); err != nil || len(got) != 1 {
		t.Fatalf("indexed lookup while a scan runs: %v %v", got, err)
	}
	s.scanWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.matchUsers(ctx, scimCall{}, query(`title pr`), cost.NewMeter(DefaultScanBudget)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a gone client: %v", err)
	}
	<-s.scans // the running scan ends
	if got, err := s.matchUsers(context.Background(), scimCall{}, query(`userName pr`), cost.NewMeter(DefaultScanBudget)); err != nil || len(got) != 1 {
		t.Fatalf("scan after the slot is free: %v %v", got, err)
	}
}
