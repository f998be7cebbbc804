package okta_test

import (
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
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

// TestPanicInTaskIsRecordedNotFatal: handling one user's task panics (a
// bug the test plants). The process stays up and provisions the others;
// the task is FAILED with a reason saying so, in the System Log and the
// tasks API; a restart does not run it again (no crash loop); a Retry
// runs it again, and once the bug is gone it succeeds.
func TestPanicInTaskIsRecordedNotFatal(t *testing.T) {
	o := newConnectedOrg(t)
	ann := o.user(person("ann@acme.example.com"))
	bob := o.user(person("bob@acme.example.com"))
	var mu sync.Mutex
	runs := 0
	okta.SetBeforeRun(t, func(_, userID string) {
		if userID == bob {
			mu.Lock()
			runs++
			mu.Unlock()
			panic("planted bug")
		}
	})
	o.assignUser(ann)
	o.assignUser(bob)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want 1 (bob's task)", failed)
	}
	if !o.inWrike("ann@acme.example.com") || o.inWrike("bob@acme.example.com") {
		t.Fatalf("wrike users: %+v", o.wrikeUsers())
	}
	const reason = "internal error: provisioning panicked: planted bug"
	tasks := o.tasks("FAILED")
	if len(tasks) != 1 || tasks[0].UserID != bob || tasks[0].Operation != "CREATE" || tasks[0].Attempts != 1 ||
		tasks[0].LastError == nil || *tasks[0].LastError != reason {
		t.Fatalf("failed tasks: %+v", tasks)
	}
	evs := o.events(`target.id eq "` + bob + `" and outcome.result eq "FAILURE"`)
	if len(evs) != 1 || evs[0].Outcome.Reason != reason || evs[0].EventType != "application.provision.user.push" {
		t.Fatalf("System Log: %+v", evs)
	}
	if au := o.appUser(bob); au.SyncState != "ERROR" {
		t.Fatalf("bob's app user: %+v", au)
	}

	o.restart()
	o.wait()
	mu.Lock()
	n := runs
	mu.Unlock()
	if n != 1 {
		t.Fatalf("bob's task ran %d times, want once: the restart ran it again", n)
	}

	o.retryTask(tasks[0].ID)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d after a retry that panics again", failed)
	}
	if tk := o.tasks("FAILED"); len(tk) != 1 || tk[0].Attempts != 2 {
		t.Fatalf("after the retry: %+v", tk)
	}
	okta.SetBeforeRun(t, nil)
	o.retryTask(tasks[0].ID)
	if failed := o.wait(); failed != 0 || !o.inWrike("bob@acme.example.com") {
		t.Fatalf("failed = %d after the bug is gone; bob in Wrike: %v", failed, o.inWrike("bob@acme.example.com"))
	}
}

// TestStartupSpendsNoAttempt: a task is pending when the backend restarts,
// and its SCIM target cannot answer yet (the link refuses, as the Wrike
// face of the same process does before it listens). Until the process
// starts provisioning (the binary does once its faces listen) the engine
// makes no attempt: no request, no failure in the System Log, no attempt
// counted. Then it provisions the user at once.
func TestStartupSpendsNoAttempt(t *testing.T) {
	o := newOrg(t, backendtest.WithHeldProvisioning())
	o.env.Backend.StartProvisioning()
	o.connect(true, true, true)
	o.link.down(1)
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	<-o.link.refused
	o.env.Restart(t) // stops the engine with the task waiting for its retry
	o.link.setTarget(o.env.Backend.Wrike)
	before := o.link.count("", "")
	o.link.down(untilUp)
	time.Sleep(300 * time.Millisecond) // some 15 retries of the tests' 20 ms backoff
	if n := o.link.count("", ""); n != before {
		t.Fatalf("%d requests before provisioning started", n-before)
	}
	tasks := o.tasks("PENDING")
	if len(tasks) != 1 || tasks[0].Attempts > 1 {
		t.Fatalf("tasks before provisioning started: %+v", tasks)
	}
	o.link.up()
	o.env.Backend.StartProvisioning()
	if failed := o.wait(); failed != 0 || !o.inWrike("ann@acme.example.com") {
		t.Fatalf("failed = %d; ann in Wrike: %v", failed, o.inWrike("ann@acme.example.com"))
	}
	if n := len(o.events(`outcome.result eq "FAILURE"`)); n > 1 {
		t.Fatalf("%d failures logged, want at most the one before the restart", n)
	}
}
