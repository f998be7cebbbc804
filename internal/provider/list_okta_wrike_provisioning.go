package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
)

// oktaWrikeProvisioningList lists the Okta org's Wrike app instances whose
// provisioning is set up.
type oktaWrikeProvisioningList struct {
	oktaWrikeProvisioningResource
}

var _ list.ListResourceWithConfigure = (*oktaWrikeProvisioningList)(nil)

// NewOktaWrikeProvisioningList is the okta_wrike_provisioning list resource.
func NewOktaWrikeProvisioningList() list.ListResource { return &oktaWrikeProvisioningList{} }

// oktaWrikeAppName is Okta's name of the Wrike catalogue app, which every
// instance of it has whatever its label.
const oktaWrikeAppName = "wrike"

func (l *oktaWrikeProvisioningList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The Okta org's Wrike app instances whose provisioning connection is set up (a SCIM base URL " +
			"saved), named by Okta app id, with their To App toggles and assignments. Okta never returns the token: " +
			"the configuration written for them has no token, and needs bearer_token_wo and bearer_token_wo_version " +
			"set from a wrike_api_token. Instances whose provisioning Okta's API cannot configure (status UNKNOWN, " +
			"as on real Okta orgs) are left out with a warning.",
	}
}

func (l *oktaWrikeProvisioningList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	streamList(req, stream, func(s *listStream) {
		apps, err := l.okta.ListAppsNamed(ctx, oktaWrikeAppName)
		if err != nil {
			s.note(diag.Diagnostics{oktaErrorDiagnostic("Cannot list the Okta org's Wrike apps", err)})
			return
		}
		everyone := &everyoneGroup{okta: l.okta}
		var unknown []string
		for _, app := range apps {
			m, _, err := l.fetch(ctx, app.ID, oktaWrikeProvisioningModel{}, everyone)
			switch {
			case errors.Is(err, errConnectionUnknown):
				unknown = append(unknown, app.ID)
				continue
			case err != nil:
				s.note(diag.Diagnostics{readErrorDiagnostic(app.ID, err)})
				return
			case m.SCIMBaseURL.IsNull():
				continue // provisioning never set up: nothing to adopt
			}
			if !s.add(listed(ctx, req, oktaWrikeProvisioningIdentity, app.ID, fmt.Sprintf("%s (%s)", app.Label, app.ID), m)) {
				return
			}
		}
		if len(unknown) > 0 {
			s.note(diag.Diagnostics{diag.NewWarningDiagnostic("Okta's API cannot configure provisioning for some Wrike apps",
				fmt.Sprintf("Okta answered status UNKNOWN for the provisioning connection of %s, so they are not listed: "+
					"Okta's public API cannot configure provisioning of catalogue apps such as Wrike on this org, and "+
					"okta_wrike_provisioning cannot manage them. Keep their provisioning in the Okta Admin Console.",
					strings.Join(unknown, ", ")))})
		}
	})
}
