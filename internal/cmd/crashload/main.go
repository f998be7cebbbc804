// Command crashload proves the reference backend's crash safety: it runs the
// wrike-backend binary on loopback, drives a load of SCIM creates (and, when
// the binary has the Okta face, a provisioning run), kills the process with
// SIGKILL at random moments, restarts it on the same data directory, and
// checks that every write it acknowledged is there, that the provisioning
// queue resumes and that nothing is provisioned twice. It is bounded in
// time and in requests and stops by itself; scripts/crash-test.sh and the
// package's test run it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crashload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("crashload", flag.ContinueOnError)
	fs.StringVar(&cfg.binary, "backend", "./bin/wrike-backend", "path of the wrike-backend binary")
	fs.StringVar(&cfg.dataDir, "data-dir", "", "data directory (default: a new temporary directory, removed afterwards)")
	fs.IntVar(&cfg.kills, "kills", 5, "how many times to kill -9 the backend")
	fs.IntVar(&cfg.users, "users", 600, "SCIM users to create (the load)")
	fs.IntVar(&cfg.oktaUsers, "okta-users", 120, "Okta users to provision through the engine (0: skip)")
	fs.IntVar(&cfg.workers, "workers", 8, "concurrent SCIM clients")
	fs.DurationVar(&cfg.killMin, "kill-min", 150*time.Millisecond, "shortest run before a kill")
	fs.DurationVar(&cfg.killMax, "kill-max", 900*time.Millisecond, "longest run before a kill")
	fs.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "hard bound on the whole run")
	fs.BoolVar(&cfg.verbose, "v", false, "log each kill and restart")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if cfg.kills < 1 || cfg.users < 1 || cfg.workers < 1 || cfg.killMin <= 0 || cfg.killMax < cfg.killMin {
		return errors.New("kills, users and workers must be positive and kill-min <= kill-max")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if cfg.dataDir == "" {
		dir, err := os.MkdirTemp("", "crashload-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		cfg.dataDir = dir
	}
	rep, err := crashRun(ctx, cfg, stdout)
	if rep != nil {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return err
}
