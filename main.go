// Command terraform-provider-wrike is the Terraform provider that sets up
// Wrike user provisioning from Okta over SCIM 2.0.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/wrike-community/terraform-provider-wrike/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debugMode {
		quietUnlessLogging()
	}
	// The provider lives for one Terraform command and holds little memory;
	// collecting less often saves CPU on plans with hundreds of resources.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/wrike-community/wrike",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// logEnv are the variables that make Terraform show provider logs; Terraform
// passes its environment to the provider.
var logEnv = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_WRIKE",
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
}

// quietUnlessLogging turns the plugin SDK's logs off when none of logEnv is
// set. The SDK otherwise writes every RPC's trace lines to stderr for
// Terraform to parse and discard, which costs a plan of 500 resources
// about a quarter of the provider's CPU. With any of them set, logging is
// exactly as Terraform asks.
func quietUnlessLogging() {
	for _, name := range logEnv {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range logEnv[1:] {
		_ = os.Setenv(name, "off")
	}
}
