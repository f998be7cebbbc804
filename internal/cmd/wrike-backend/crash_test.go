package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash test runs the backend in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL mid-flight.
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

func send(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestKill9KeepsAcknowledgedWrites provisions users from many clients,
// kills the backend with SIGKILL while they are still writing, restarts it
// and checks that every user whose creation was acknowledged is there.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir)
	admin := c.token
	if code, _ := send(t, "POST", c.url+"/api/v4/approved_domains", admin, `{"domain":"crash.example.com"}`); code != 200 {
		t.Fatalf("approve domain: %d", code)
	}
	_, app := send(t, "POST", c.url+"/api/v4/api_apps", admin, `{"name":"crash"}`)
	v4 := app["data"].([]any)[0].(map[string]any)["token"].(string)
	if code, _ := send(t, "PUT", c.url+"/api/v4/scim_integrations/okta", admin, `{"enabled":true}`); code != 200 {
		t.Fatalf("enable integration: %d", code)
	}

	var mu sync.Mutex
	acked := map[string]string{} // id → userName
	// The kill comes once this many writes are acknowledged, with all the
	// writers still at work.
	const killAfter = 200
	enough := make(chan struct{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-u%d@crash.example.com", w, i)
				code, u := send(t, "POST", c.url+"/scim/okta/v2/Users", v4,
					`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+name+`"}`)
				if code != http.StatusCreated {
					return // the server is gone
				}
				mu.Lock()
				acked[u["id"].(string)] = name
				if len(acked) == killAfter {
					close(enough)
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatalf("fewer than %d writes acknowledged within 60s", killAfter)
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	c2 := startChild(t, dir)
	for id, name := range acked {
		code, u := send(t, "GET", c2.url+"/scim/okta/v2/Users/"+id, v4, "")
		if code != 200 || u["userName"] != name {
			t.Fatalf("acknowledged user %s (%s) lost after SIGKILL: %d %v", id, name, code, u)
		}
	}
	t.Logf("%d acknowledged users survived SIGKILL", len(acked))
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
		if timedOut || !errors.As(err, &exit) || !strings.Contains(string(out), dir) || !strings.Contains(string(out), "process "+pid) {
			t.Fatalf("%v while pid %s runs: %v, want a refusal naming %s and the pid:\n%s", flags, pid, err, dir, out)
		}
		if strings.Contains(string(out), "token (shown once") {
			t.Fatalf("%v printed a token while refusing:\n%s", flags, out)
		}
	}
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
