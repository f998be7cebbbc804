package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// The tests here run the backend in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL. The crash test under
// load is internal/cmd/crashload (TestCrashSafetyShort, make crash-test).
const childEnv = "WRIKE_BACKEND_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		if err := run(context.Background(), strings.Fields(args), os.Stdout, io.Discard); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type child struct {
	cmd   *exec.Cmd
	url   string
	token string // the Wrike admin token in tokens.env
}

// childCommand is this test binary re-executed as wrike-backend with args,
// killed when ctx ends.
func childCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, " "))
	return cmd
}

func startChild(t *testing.T, dataDir string) *child {
	t.Helper()
	cmd := childCommand(context.Background(), "--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0", "--log-level", "warn", "--data-dir", dataDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := &child{cmd: cmd}
	urlRE := regexp.MustCompile(`Wrike face: (http://\S+)`)
	sc := bufio.NewScanner(out)
	for c.url == "" && sc.Scan() {
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			c.url = m[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if c.url == "" {
		t.Fatal("the backend did not start")
	}
	c.token = savedTokens(t, dataDir).WrikeAdmin
	return c
}

// send makes a Wrike admin API call with token and a JSON body; the status
// is 0 when no answer came.
func send(method, url, token, body string) backendtest.Answer {
	return backendtest.Send(nil, method, url, body, "Authorization", "Bearer "+token, "Content-Type", "application/json")
}

// TestDataDirectoryHasOneOwner: while one wrike-backend process runs on a
// data directory, a second one, --rotate-admin-token and --mint-okta-token
// each refuse, naming the directory and the PID holding it, and change
// nothing; once the first is killed with SIGKILL (no shutdown code runs),
// the directory is free: the rotation runs and a new server starts on it.
func TestDataDirectoryHasOneOwner(t *testing.T) {
	dir := t.TempDir()
	first := startChild(t, dir)
	saved := savedTokens(t, dir)
	pid := strconv.Itoa(first.cmd.Process.Pid)
	wantRefusals(t, dir, "process "+pid)
	if got := adminStatus(t, first.url, first.token); got != http.StatusOK {
		t.Fatalf("the running server's admin token after the refused rotation: %d", got)
	}
	if savedTokens(t, dir) != saved {
		t.Fatal("a refused command changed tokens.env")
	}

	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	if out, err := childCommand(context.Background(), "--rotate-admin-token", "--data-dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("--rotate-admin-token after SIGKILL of the server: %v\n%s", err, out)
	}
	second := startChild(t, dir)
	if second.token == first.token {
		t.Fatal("tokens.env still holds the revoked admin token")
	}
	if adminStatus(t, second.url, first.token) != http.StatusUnauthorized || adminStatus(t, second.url, second.token) != http.StatusOK {
		t.Fatal("after the rotation the old admin token works or the new one does not")
	}
}

// wantRefusals runs a second server, --rotate-admin-token and
// --mint-okta-token on dir, which a live server holds: each must exit with an
// error naming dir and holder, print no token, and change nothing.
func wantRefusals(t *testing.T, dir, holder string) {
	t.Helper()
	for _, flags := range [][]string{
		{"--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0"},
		{"--rotate-admin-token"},
		{"--mint-okta-token"},
	} {
		// A second server that starts would serve until killed: 30 s is
		// the bound on its refusal.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := childCommand(ctx, append(flags, "--data-dir", dir)...).CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		var exit *exec.ExitError
		if timedOut || !errors.As(err, &exit) || !strings.Contains(string(out), dir) || !strings.Contains(string(out), holder) {
			t.Fatalf("%v while %s runs: %v, want a refusal naming %s and %q:\n%s", flags, holder, err, dir, holder, out)
		}
		if strings.Contains(string(out), "token (shown once") {
			t.Fatalf("%v printed a token while refusing:\n%s", flags, out)
		}
	}
}

// TestDataDirectoryLockSurvivesDeletedLockFile: deleting wrike-backend.lock
// under a running server does not free its data directory: a second server,
// --rotate-admin-token and --mint-okta-token still refuse, and the running
// server's admin token stays the valid one.
func TestDataDirectoryLockSurvivesDeletedLockFile(t *testing.T) {
	dir := t.TempDir()
	first := startChild(t, dir)
	saved := savedTokens(t, dir)
	if err := os.Remove(filepath.Join(dir, store.LockFileName)); err != nil {
		t.Fatal(err)
	}
	wantRefusals(t, dir, "another process (its lock file was removed)")
	if got := adminStatus(t, first.url, first.token); got != http.StatusOK {
		t.Fatalf("the running server's admin token after the refused rotation: %d", got)
	}
	if savedTokens(t, dir) != saved {
		t.Fatal("a refused command changed tokens.env")
	}
}
