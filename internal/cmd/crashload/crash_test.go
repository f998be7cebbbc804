package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCrashSafetyShort is the bounded version of make crash-test: it builds
// the real binary, kills it with SIGKILL three times under a load of SCIM
// creates and a provisioning run, and checks that no acknowledged write is
// lost, the queue resumes and drains, and nothing is provisioned twice.
func TestCrashSafetyShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the backend binary")
	}
	// make test builds bin/ first and names it in TEST_BIN_DIR; else build the backend here.
	bin := filepath.Join(os.Getenv("TEST_BIN_DIR"), "wrike-backend")
	if os.Getenv("TEST_BIN_DIR") == "" {
		bin = filepath.Join(t.TempDir(), "wrike-backend")
		build := exec.Command("go", "build", "-o", bin, "github.com/wrike-community/terraform-provider-wrike/internal/cmd/wrike-backend")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build the backend: %v\n%s", err, out)
		}
	}
	if !hasOktaFace(bin) {
		t.Fatal("the binary has no Okta face: the provisioning half of the check cannot run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var log bytes.Buffer
	rep, err := crashRun(ctx, config{binary: bin, dataDir: t.TempDir(), kills: 3, users: 3000, oktaUsers: 60,
		workers: 6, killMin: 200 * time.Millisecond, killMax: 600 * time.Millisecond, verbose: true}, &log)
	t.Log(strings.TrimSpace(log.String()))
	if rep != nil {
		t.Logf("%+v", *rep)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kills != 4 || rep.SCIMAcknowledged == 0 || rep.OktaUsersVerified != 60 || rep.Lost != 0 || rep.Duplicates != 0 {
		t.Fatalf("unexpected figures: %+v", *rep)
	}
}

func TestFlagsRefused(t *testing.T) {
	for _, args := range [][]string{{"-kills", "0"}, {"-kill-min", "2s", "-kill-max", "1s"}, {"-workers", "0"}, {"stray"}} {
		if _, err := runArgs(args); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

func runArgs(args []string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"-backend", "/nonexistent"}, args...), &out)
	return out.String(), err
}
