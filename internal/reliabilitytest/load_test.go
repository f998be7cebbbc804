package reliabilitytest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParallelCallsEachIndexOnce(t *testing.T) {
	const n = 1000
	var calls [n]atomic.Int32
	if _, err := Parallel(n, 7, func(i int) error { calls[i].Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Fatalf("index %d called %d times", i, c)
		}
	}
	// An error stops the worker that met it; it is the one returned.
	bad := errors.New("index 500")
	_, err := Parallel(n, 7, func(i int) error {
		if i == 500 {
			return bad
		}
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("error %v, want %v", err, bad)
	}
}

func TestMeasureCountsEveryRequest(t *testing.T) {
	var sent, odd atomic.Int64
	seen := sync.Map{}
	th := Measure(3, 30*time.Millisecond, func(i int) bool {
		if _, dup := seen.LoadOrStore(i, true); dup || i < 1 {
			t.Errorf("request number %d given twice or below 1", i)
		}
		sent.Add(1)
		time.Sleep(time.Millisecond)
		if i%2 == 1 {
			odd.Add(1)
			return false
		}
		return true
	})
	if int64(th.Requests+th.Errors) != sent.Load() || int64(th.Errors) != odd.Load() {
		t.Fatalf("%+v for %d requests, %d of them wrong", th, sent.Load(), odd.Load())
	}
	if th.Requests == 0 || th.RPS <= 0 || th.P50 < time.Millisecond || th.P99 < th.P50 {
		t.Fatalf("figures %+v", th)
	}
}

func TestBackgroundStopWaitsForEveryCall(t *testing.T) {
	var running, calls atomic.Int64
	started := make(chan int, 4)
	var once [4]sync.Once
	stop := Background(4, func(ctx context.Context, g int) {
		running.Add(1)
		defer running.Add(-1)
		calls.Add(1)
		once[g].Do(func() { started <- g })
		<-ctx.Done()
	})
	Receive(t, started, 4, time.Minute, "goroutines started")
	stop()
	if r := running.Load(); r != 0 {
		t.Fatalf("%d calls still running after stop", r)
	}
	after := calls.Load()
	time.Sleep(10 * time.Millisecond)
	if calls.Load() != after {
		t.Fatal("calls made after stop returned")
	}
}

func TestClientExpect(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		if r.URL.Path == "/missing" {
			http.Error(w, strings.Repeat("x", 1000), http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Auth: "Bearer t0k3n"}
	if b, err := c.Expect("POST", srv.URL+"/x", `{}`, 200); err != nil || string(b) != "ok" {
		t.Fatalf("%q %v", b, err)
	}
	if got.Get("Authorization") != "Bearer t0k3n" || got.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", got)
	}
	_, err := c.Expect("GET", srv.URL+"/missing", "", 200)
	if err == nil || !strings.Contains(err.Error(), "status 404") || len(err.Error()) > 400 {
		t.Fatalf("error %v", err)
	}
	if got.Get("Content-Type") != "" {
		t.Fatalf("Content-Type %q on a request without a body", got.Get("Content-Type"))
	}
	if _, err := (&Client{HTTP: srv.Client()}).Expect("GET", srv.URL+"/x", "", 200); err != nil || got.Get("Authorization") != "" {
		t.Fatalf("without Auth: %v, Authorization %q", err, got.Get("Authorization"))
	}
}

func TestProcessWaitAndStop(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	// A process that ends before it serves: the wait says so instead of
	// polling until its deadline.
	p, err := Start(exec.Command("true"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHTTP(context.Background(), "http://"+addr+"/", time.Hour); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("wait on an ended process: %v", err)
	}
	p.Kill() // an ended process: nothing to do, and no hang
	// A process that never serves, stopped by SIGTERM.
	p, err = Start(exec.Command("sleep", "600"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.WaitHTTP(ctx, "http://"+addr+"/", time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with an ended context: %v", err)
	}
	if err := p.Stop(time.Minute); err != nil {
		t.Fatal(err)
	}
}
