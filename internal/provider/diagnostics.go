package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

// wrikeErrorDetail is a failed Wrike call's message, followed by the
// provider setting to check when Wrike refused the admin token or nothing
// answered.
func wrikeErrorDetail(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, wrikeclient.ErrUnauthorized):
		msg += "\n\nCheck wrike_token (or WRIKE_TOKEN): Wrike did not accept it."
	case errors.Is(err, wrikeclient.ErrForbidden):
		msg += "\n\nCheck wrike_token (or WRIKE_TOKEN): it must be a Wrike admin token; API app (v4) tokens cannot call the admin API."
	case errors.Is(err, httpclient.ErrUnreachable):
		msg += "\n\nCheck wrike_url (or WRIKE_URL) and that Wrike is reachable from here."
	}
	return msg
}

// oktaCredentialHint is the provider setting to check when Okta refused
// the API token or nothing answered, as a paragraph to append; "" for any
// other error.
func oktaCredentialHint(err error) string {
	switch {
	case errors.Is(err, oktaclient.ErrUnauthorized):
		return "\n\nCheck okta_api_token (or OKTA_API_TOKEN): Okta did not accept it."
	case errors.Is(err, oktaclient.ErrForbidden):
		return "\n\nCheck okta_api_token (or OKTA_API_TOKEN): the token's admin may not manage this app (an API token has its admin's permissions)."
	case errors.Is(err, httpclient.ErrUnreachable):
		return "\n\nCheck okta_org_url (or OKTA_ORG_URL) and that Okta is reachable from here."
	}
	return ""
}

// planCheckTimeout bounds a plan-time check: an Okta that does not answer
// is a warning after this long, not a plan that hangs.
const planCheckTimeout = 10 * time.Second

// planCheckContext is the context of an advisory plan-time call: one
// attempt, bounded by planCheckTimeout.
func planCheckContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(httpclient.WithoutRetries(ctx), planCheckTimeout)
}

// planCheckDiagnostic reports a failed plan-time check of the Okta app.
// Refused credentials are an error, since apply would fail the same way;
// any other failure (Okta unreachable or busy) is a warning, and apply
// tries again.
func planCheckDiagnostic(appID string, err error) diag.Diagnostic {
	if errors.Is(err, oktaclient.ErrUnauthorized) || errors.Is(err, oktaclient.ErrForbidden) {
		return diag.NewErrorDiagnostic("Okta refused the provider's API token", oktaErrorDetail(err))
	}
	return diag.NewWarningDiagnostic("Cannot check the Okta app at plan time",
		"Reading the provisioning connection of Okta app "+appID+" failed, so the plan could not check that the app exists; "+
			"apply tries again.\n\n"+oktaErrorDetail(err))
}

// appDeletedDiagnostic is the note of a refresh that found the Okta app
// gone: the resource leaves the state and is planned again.
func appDeletedDiagnostic(appID string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Okta app deleted outside Terraform",
		"The Okta app "+appID+" no longer exists, and its provisioning settings and assignments went with it. "+
			"okta_wrike_provisioning is removed from the state and planned again: if the Wrike app was re-created in "+
			"Okta, set app_id to the new app's id; otherwise remove the resource from the configuration (also before "+
			"a terraform destroy, whose plan checks app_id too).")
}

// adoptionError is the error of a create that found the object already in
// use, set up outside this state: the provider never takes such an object
// over silently (its destroy would undo someone else's setup), it names the
// import that makes this state manage it. typ is the resource type, id the
// import id.
func adoptionError(at path.Path, what, typ, id string) diag.Diagnostic {
	// what says what was found, as the summary's first clause.
	provider := ""
	if strings.HasPrefix(typ, "okta_") {
		provider = "\n    provider = wrike"
	}
	return diag.NewAttributeErrorDiagnostic(at, what+", and this Terraform state does not manage it",
		fmt.Sprintf("Creating this %s would take over what another configuration, or someone in the console, set up, and its destroy "+
			"would undo it; nothing was changed. To manage it with this configuration, import it:\n\n"+
			"    terraform import %s.<name> %s\n\nor with an import block:\n\n  import {%s\n    to = %s.<name>\n    id = %q\n  }\n\n"+
			"If another configuration manages it, remove it from one of the two.", typ, typ, id, provider, typ, id))
}

// provisioningAdoptionError is the error of a create on an app whose
// provisioning connection is already active: set up outside this state.
func provisioningAdoptionError(appID string) diag.Diagnostic {
	return adoptionError(path.Root("app_id"), fmt.Sprintf("Provisioning of Okta app %q is already active", appID), "okta_wrike_provisioning", appID)
}

func noSuchAppDiagnostic(appID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("app_id"), "No such Okta app",
		fmt.Sprintf("The Okta org has no app with id %q. Use the id of the Wrike app instance (Okta Admin Console → Applications → Wrike: the id is in the page's URL).", appID))
}

// missingOktaConfig is the error of an okta_* resource used without Okta
// settings in the provider.
func missingOktaConfig(problem string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Missing Okta configuration",
		"okta_wrike_provisioning configures Okta, so the provider \"wrike\" needs okta_org_url and okta_api_token "+
			"(or the OKTA_ORG_URL and OKTA_API_TOKEN environment variables). "+problem)
}

func unknownConnectionDiagnostic(appID string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("app_id"), "Okta's API cannot configure provisioning for this app",
		fmt.Sprintf("Okta answered status UNKNOWN for the provisioning connection of app %q. Okta's public Management API "+
			"configures provisioning only for a few apps (Org2Org, Zscaler, Google Workspace, Office 365, Slack, Zoom); for "+
			"catalogue (OIN) apps such as Wrike it cannot, so this resource cannot manage it on this org.\n\n"+
			"What to do: set up provisioning in the Okta Admin Console (Applications → Wrike → Provisioning → Integration: "+
			"enter the SCIM base URL from wrike_scim_integration.scim_url and the token from wrike_api_token, Test API "+
			"Credentials, Save; then under To App enable Create Users, Update User Attributes and Deactivate Users, and "+
			"assign people under Assignments). Keep wrike_approved_domain, wrike_api_token and wrike_scim_integration in "+
			"Terraform and remove okta_wrike_provisioning from this configuration. Against the reference backend's Okta "+
			"face the resource works as documented.", appID))
}

func readErrorDiagnostic(appID string, err error) diag.Diagnostic {
	if errors.Is(err, errConnectionUnknown) {
		return unknownConnectionDiagnostic(appID)
	}
	return oktaErrorDiagnostic("Cannot read the provisioning settings", err)
}

// oktaErrorDiagnostic reports a failed call with Okta's own code, summary
// and causes.
func oktaErrorDiagnostic(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, oktaErrorDetail(err))
}

func oktaErrorDetail(err error) string {
	var oe *oktaclient.Error
	if !errors.As(err, &oe) {
		return err.Error() + oktaCredentialHint(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Okta answered HTTP %d", oe.StatusCode)
	if oe.ErrorCode != "" {
		fmt.Fprintf(&b, " %s", oe.ErrorCode)
	}
	if oe.ErrorSummary != "" {
		fmt.Fprintf(&b, ": %s", oe.ErrorSummary)
	}
	for _, c := range oe.ErrorCauses {
		fmt.Fprintf(&b, "\n  - %s", c)
	}
	b.WriteString(oktaCredentialHint(err))
	return b.String()
}

func connectionErrorDiagnostic(err error) diag.Diagnostic {
	var oe *oktaclient.Error
	if errors.As(err, &oe) && oe.StatusCode == http.StatusBadRequest {
		return diag.NewAttributeErrorDiagnostic(path.Root("scim_base_url"), "Okta refused the SCIM connection",
			"Okta tested the SCIM base URL and token before saving and the test failed, so nothing was saved.\n"+oktaErrorDetail(err))
	}
	return oktaErrorDiagnostic("Cannot save the provisioning connection", err)
}

func everyoneListedDiagnostic(id string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("group_assignments").AtMapKey(id), "Everyone listed as a group",
		fmt.Sprintf("Group %q is Okta's built-in Everyone group: assign it with assign_everyone = true (and everyone_user_type), not in group_assignments.", id))
}

func cannotCheckAssignments(err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Cannot check the assignments at plan time",
		"Listing Okta's groups or users failed, so the ids in group_assignments and user_assignments are checked only when applied.\n"+oktaErrorDetail(err))
}

func waitErrorDetail(appID string, err error) string {
	if errors.Is(err, oktaclient.ErrNotFound) {
		return fmt.Sprintf("Okta answered 404 to the provisioning tasks of app %q: this Okta org does not offer the tasks API "+
			"(only the reference backend's Okta face does), so the apply does not wait. Remove wait_for_provisioning. %s", appID, oktaErrorDetail(err))
	}
	return oktaErrorDetail(err)
}
