// Command wrike-demo is the small client scripts/demo.sh uses to wait for the reference backend
// and to show what provisioning did (users in Wrike, refusals in Okta's System Log, billable
// seats), so the demo needs nothing but Go and Terraform: no curl, no jq.
//
// It reads WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL and OKTA_API_TOKEN from the environment, as
// written to dev.env by `wrike-backend --dev`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

const usage = `usage: wrike-demo <command> [arguments]

commands:
  port-free ADDR...        fail when one of the addresses is already taken
  ready FILE URL...        succeed when FILE exists and every URL answers HTTP
  wait-provisioning        wait until Okta's provisioning queue is idle
  users                    print the users in Wrike with their attributes and user types
  refused                  print the users Okta failed to provision, with the System Log reason
  credentials-test         print the outcome of each Test API Credentials run (System Log)
  seats                    print the account's billable seats
  deactivate               deactivate in Okta the first active Regular user of Wrike; prints its login
  user LOGIN               print one Wrike user
  console                  print the two consoles' URLs, each with a one-time sign-in link
  token-shown-once         read terraform show -json on stdin; print the start of the API token Wrike showed once`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wrike-demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "token-shown-once":
		return tokenShownOnce(os.Stdin, os.Stdout)
	case "port-free":
		return portsFree(args)
	case "ready":
		if len(args) < 2 {
			return errors.New("ready needs a file and at least one URL")
		}
		return ready(ctx, args[0], args[1:])
	}

	c, err := clientFromEnv()
	if err != nil {
		return err
	}
	out := os.Stdout
	switch cmd {
	case "wait-provisioning":
		return c.waitProvisioning(ctx, 60*time.Second)
	case "users":
		users, err := c.users(ctx)
		if err != nil {
			return err
		}
		printUsers(out, users)
		return nil
	case "refused":
		refusals, err := c.refusals(ctx)
		if err != nil {
			return err
		}
		printRefusals(out, refusals)
		return nil
	case "credentials-test":
		tests, err := c.credentialTests(ctx)
		if err != nil {
			return err
		}
		printCredentialTests(out, tests)
		return nil
	case "seats":
		acct, err := c.account(ctx)
		if err != nil {
			return err
		}
		printAccount(out, acct)
		return nil
	case "deactivate":
		login, err := c.deactivateOne(ctx, os.Getenv("TF_VAR_okta_users"))
		if err != nil {
			return err
		}
		fmt.Fprintln(out, login)
		return nil
	case "console":
		return c.consoleLinks(ctx, out)
	case "user":
		if len(args) != 1 {
			return errors.New("user needs a login")
		}
		users, err := c.users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.UserName == args[0] {
				printUsers(out, []wrikeapi.User{u})
				return nil
			}
		}
		return fmt.Errorf("no Wrike user %q", args[0])
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
