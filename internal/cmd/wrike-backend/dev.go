package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// seedDev seeds the demo Okta org on first start and writes dev.env with the
// URLs, the tokens and the seeded ids. The tokens are known only on the
// start that created them, so dev.env is written then and kept afterwards.
// With --okta-seed, org is the file's org and is seeded instead of the demo's.
func seedDev(ctx context.Context, b *backend.Backend, org *okta.Org, dataDir, wrikeURL, oktaURL string, stdout io.Writer) error {
	var (
		demo    okta.Demo
		created bool
		err     error
		what    = "Demo org"
	)
	if org != nil {
		what = "Okta org from the seed file"
		demo, created, err = b.Okta.SeedOrg(ctx, *org)
	} else {
		demo, created, err = b.Okta.SeedDemo(ctx)
	}
	if err != nil {
		return fmt.Errorf("--dev: seed the %s: %w", strings.ToLower(what[:1])+what[1:], err)
	}
	path := filepath.Join(dataDir, "dev.env")
	if !created {
		fmt.Fprintf(stdout, "%s already seeded (Wrike app %s); its settings are in %s\n", what, demo.AppID, path)
		return nil
	}
	if b.BootstrapAdminToken == "" || b.BootstrapOktaAPIToken == "" {
		fmt.Fprintf(stdout, "Demo org seeded (Wrike app %s); tokens were created by an earlier start, so %s is not written\n", demo.AppID, path)
		return nil
	}
	groups, _ := json.Marshal(demo.Groups)
	users, _ := json.Marshal(demo.Users)
	lines := []string{
		"export WRIKE_URL=" + shellQuote(wrikeURL),
		"export WRIKE_TOKEN=" + shellQuote(b.BootstrapAdminToken),
		"export OKTA_ORG_URL=" + shellQuote(oktaURL),
		"export OKTA_API_TOKEN=" + shellQuote(b.BootstrapOktaAPIToken),
		"export TF_VAR_okta_app_id=" + shellQuote(demo.AppID),
		"export TF_VAR_okta_groups=" + shellQuote(string(groups)),
		"export TF_VAR_okta_users=" + shellQuote(string(users)),
	}
	// Written aside and renamed: scripts wait for dev.env to appear, then source it.
	if err := backend.WritePrivateFile(path, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return fmt.Errorf("--dev: %w", err)
	}
	if org != nil {
		fmt.Fprintf(stdout, "%s seeded: Wrike app %s, %d groups, %d users\n", what, demo.AppID, len(demo.Groups), len(demo.Users))
	} else {
		fmt.Fprintf(stdout, "Demo org seeded: Wrike app %s, groups Engineering and Sales, %d users\n", demo.AppID, len(demo.Users))
	}
	fmt.Fprintf(stdout, "Settings for Terraform written to %s (source it: . %s)\n", path, path)
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
