// Command terraform-provider-wrike is the Terraform provider that sets up
// Wrike user provisioning from Okta over SCIM 2.0.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/wrike-community/terraform-provider-wrike/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/wrike-community/wrike",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
