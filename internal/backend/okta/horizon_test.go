package okta_test

import (
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
)

// TestOutageThroughWholeRetryHorizon: Wrike answers 503 for longer than the
// whole 24-hour horizon of the default policy while two provisioned users
// are unassigned. The engine retries each deactivation well past its 35th
// attempt (where the doubling of the backoff once overflowed and panicked
// in a worker, taking the process down), is restarted with the tasks
// stored at that count, and gives up only at the horizon: both tasks
// FAILED, listed with their attempts and reason, reported by the wait
// endpoint. Once Wrike answers, a Retry of one task and re-activating the
// connection for the other deactivate both.
func TestOutageThroughWholeRetryHorizon(t *testing.T) {
	clk := clock.NewFake(epoch)
	o := newClockedOrg(t, clk)
	o.connect(true, true, true)
	ann := o.user(person("ann@acme.example.com"))
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(ann)
	o.assignUser(bob)
	o.drive(clk, nil)

	o.link.down(untilUp)
	o.unassignUser(ann)
	o.unassignUser(bob)
	restartedAt := 0
	elapsed := o.drive(clk, func() {
		if restartedAt != 0 {
			return
		}
		if tasks := o.tasks("PENDING"); len(tasks) == 2 && min(tasks[0].Attempts, tasks[1].Attempts) >= 36 {
			restartedAt = min(tasks[0].Attempts, tasks[1].Attempts)
			o.restart()
			if p := o.env.Backend.Okta.Engine().Pending(); p != 2 {
				t.Fatalf("%d tasks resumed after the restart, want 2", p)
			}
		}
	})
	if restartedAt == 0 {
		t.Fatal("the tasks never reached 36 attempts")
	}
	// The last retry is the last one that starts within the horizon: at
	// most one capped wait (15 min) before it ends.
	if elapsed < 24*time.Hour-15*time.Minute || elapsed > 24*time.Hour+time.Minute {
		t.Fatalf("gave up after %v, not at the 24 h horizon", elapsed)
	}
	failed := o.tasks("FAILED")
	if len(failed) != 2 {
		t.Fatalf("FAILED tasks after the horizon: %+v", failed)
	}
	for _, tk := range failed {
		if tk.Operation != "DEACTIVATE" || tk.Attempts <= restartedAt || tk.LastError == nil || *tk.LastError != "Wrike is under maintenance" ||
			tk.NextAttemptAt != nil {
			t.Fatalf("failed task: %+v", tk)
		}
	}
	if n := o.wait(); n != 2 {
		t.Fatalf("the wait endpoint reports %d failed, want 2", n)
	}
	if u := o.wrikeUsers(); !u["ann@acme.example.com"].Active || !u["bob@acme.example.com"].Active {
		t.Fatalf("deactivated during the outage: %+v", u)
	}

	o.link.up()
	byUser := map[string]string{failed[0].UserID: failed[0].ID, failed[1].UserID: failed[1].ID}
	o.retryTask(byUser[ann])
	o.drive(clk, nil)
	if u := o.wrikeUsers(); u["ann@acme.example.com"].Active || !u["bob@acme.example.com"].Active {
		t.Fatalf("after retrying ann's task: %+v", u)
	}
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/activate", nil, nil)
	o.drive(clk, nil)
	if u := o.wrikeUsers(); u["bob@acme.example.com"].Active {
		t.Fatalf("bob still active after the connection was re-activated: %+v", u)
	}
	if left := o.tasks(""); len(left) != 0 {
		t.Fatalf("tasks left: %+v", left)
	}
	t.Logf("outage of %v (fake time): restarted at %d attempts, gave up after %d and %d; %d requests refused",
		elapsed.Round(time.Minute), restartedAt, failed[0].Attempts, failed[1].Attempts, o.link.refusedCount())
}
