package reliabilitytest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// FreeAddr is a loopback address with a port free at the time of the call,
// for a process the load and crash programs start.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// CPUSeconds is the CPU time (user and system) process pid has used so far,
// read from /proc (0 where it cannot be read).
func CPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses, which may hold spaces).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// Process is a program a load or crash program started, watched until it
// ends.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start starts cmd.
func Start(cmd *exec.Cmd) (*Process, error) {
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// Pid is the process id, for CPUSeconds and /proc.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Kill sends SIGKILL and waits for the end: no shutdown code runs, as in a
// power cut of the process. Killing an ended process does nothing.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop ends the process the way an operator does (SIGTERM) and waits for it
// at most within, then kills it.
func (p *Process) Stop(within time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(within):
		p.Kill()
		return fmt.Errorf("%s did not stop within %v of SIGTERM", p.cmd.Path, within)
	}
}

// WaitHTTP polls url until it answers with any status, and fails when the
// process ends first, ctx ends or within passes.
func (p *Process) WaitHTTP(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("the process serving %s exited", url)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within %v", url, within)
}

// Backend is a wrike-backend process on loopback.
type Backend struct {
	*Process
	// WrikeURL and OktaURL are http://host:port of each face; OktaURL is
	// empty for a binary without the Okta face.
	WrikeURL, OktaURL string
}

// BackendOptions says how to start a wrike-backend binary.
type BackendOptions struct {
	Binary, DataDir string
	// WrikeAddr and OktaAddr are the faces' host:port (kept across
	// restarts); empty picks a free loopback port.
	WrikeAddr, OktaAddr string
	// NoOktaFace starts a binary that has no Okta face (no --okta-addr).
	NoOktaFace bool
	// Stdout and Stderr receive the process's output; nil discards it.
	Stdout, Stderr io.Writer
	// Within bounds the wait for the Wrike face's first answer; zero is two
	// minutes.
	Within time.Duration
}

// StartBackend starts a wrike-backend on o.DataDir with --log-level warn
// and returns once its Wrike face answers. The first start's tokens are in
// the data directory by then: the backend writes them before it serves. On
// an error nothing is left running.
func StartBackend(ctx context.Context, o BackendOptions) (*Backend, error) {
	var err error
	if o.WrikeAddr == "" {
		if o.WrikeAddr, err = FreeAddr(); err != nil {
			return nil, err
		}
	}
	args := []string{"--wrike-addr", o.WrikeAddr, "--data-dir", o.DataDir, "--log-level", "warn"}
	b := &Backend{WrikeURL: "http://" + o.WrikeAddr}
	if !o.NoOktaFace {
		if o.OktaAddr == "" {
			if o.OktaAddr, err = FreeAddr(); err != nil {
				return nil, err
			}
		}
		args = append(args, "--okta-addr", o.OktaAddr)
		b.OktaURL = "http://" + o.OktaAddr
	}
	cmd := exec.Command(o.Binary, args...)
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	if b.Process, err = Start(cmd); err != nil {
		return nil, err
	}
	within := o.Within
	if within == 0 {
		within = 2 * time.Minute
	}
	if err := b.WaitHTTP(ctx, b.WrikeURL+"/api/v4/account", within); err != nil {
		b.Kill()
		return nil, fmt.Errorf("the backend did not start: %w", err)
	}
	return b, nil
}
