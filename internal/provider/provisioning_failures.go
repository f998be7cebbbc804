package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// Outstanding provisioning failures of okta_wrike_provisioning: every
// refresh counts the app users whose last push failed (Okta's public
// syncState ERROR) and warns with their logins and the reasons; while
// retry_failed_provisioning is on, the plan retries them, so one apply
// after the cause is fixed heals them.

// failuresShown caps the users a failure warning names.
const failuresShown = 10

func retryFailedProvisioningAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(true),
		Description: "Retry users whose provisioning failed. While any assigned user's last push failed (a refusal by Wrike, " +
			"or Okta giving up), every plan warns with the users and the reasons and, when this is true, plans an update that " +
			"retries their tasks and then waits as wait_for_provisioning says: fix the cause in the same configuration (an " +
			"approved domain, the SCIM integration enabled, listed in depends_on so it applies first) and one apply heals them. " +
			"Set false to accept a refusal: the warning stays, the plan does not. Default true. Retrying needs the tasks API of " +
			"the reference backend's Okta face; an Okta org's failed tasks are retried in its Admin Console (Dashboard → Tasks).",
	}
}

func provisioningFailuresAttribute() schema.Int64Attribute {
	return schema.Int64Attribute{
		Computed: true,
		Description: "Number of users assigned to the app whose last provisioning push failed (Okta's syncState ERROR), " +
			"as of the last refresh or apply.",
	}
}

// planRetryOfFailures plans the retry: with failures in state and retrying
// on, provisioning_failures becomes unknown, so the plan is an update.
func planRetryOfFailures(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var failures types.Int64
	var retry types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("provisioning_failures"), &failures)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("retry_failed_provisioning"), &retry)...)
	if failures.ValueInt64() > 0 && (retry.IsUnknown() || retry.ValueBool()) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("provisioning_failures"), types.Int64Unknown())...)
	}
}

// retryFailures queues the app's failed tasks again when prior recorded
// failures and retrying is on. It runs after the connection, toggles and
// assignments applied, and so after every resource this one depends on.
func (r *oktaWrikeProvisioningResource) retryFailures(ctx context.Context, appID string, prior, plan oktaWrikeProvisioningModel, diags *diag.Diagnostics) {
	if prior.ProvisioningFailures.ValueInt64() == 0 || !plan.RetryFailedProvisioning.ValueBool() {
		return
	}
	_, err := r.okta.RetryFailedProvisioningTasks(ctx, appID)
	switch {
	case errors.Is(err, oktaclient.ErrNotFound):
		diags.AddAttributeWarning(path.Root("retry_failed_provisioning"), "Cannot retry the failed provisioning tasks",
			fmt.Sprintf("Okta answered 404 to the retry of app %q's failed provisioning tasks: Okta's public API cannot retry them "+
				"(only the reference backend's Okta face can). Retry them in the Okta Admin Console (Dashboard → Tasks), or set "+
				"retry_failed_provisioning = false so the plan stops offering to.", appID))
	case err != nil:
		diags.AddAttributeWarning(path.Root("retry_failed_provisioning"), "Cannot retry the failed provisioning tasks", oktaErrorDetail(err))
	}
}

// failuresDiagnostic is the warning of a refresh that found failed users:
// their logins (at most failuresShown) with the reason of each, from the
// tasks API when Okta has it, else from the System Log.
func (r *oktaWrikeProvisioningResource) failuresDiagnostic(ctx context.Context, appID string, failed []oktaapi.AppUser, retry bool) diag.Diagnostic {
	reasons, source := r.failureReasons(ctx, appID)
	failed = slices.SortedFunc(slices.Values(failed), func(a, b oktaapi.AppUser) int {
		return strings.Compare(a.Credentials.UserName, b.Credentials.UserName)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "Okta's last push of %d user(s) assigned to app %q failed:\n", len(failed), appID)
	for _, u := range failed[:min(len(failed), failuresShown)] {
		login := u.Credentials.UserName
		if login == "" {
			login = u.ID
		}
		reason := reasons[u.ID]
		if reason == "" {
			reason = "no reason found in " + source
		}
		fmt.Fprintf(&b, "  - %s (%s): %s\n", login, u.ID, reason)
	}
	if n := len(failed) - failuresShown; n > 0 {
		fmt.Fprintf(&b, "  - and %d more\n", n)
	}
	if retry {
		b.WriteString("\nThis plan retries them (retry_failed_provisioning): fix the cause in this configuration, for instance a " +
			"wrike_approved_domain for their domain listed in this resource's depends_on, and apply once. If a refusal is " +
			"intended, set retry_failed_provisioning = false: the plan then stops retrying, and this warning stays.")
	} else {
		b.WriteString("\nretry_failed_provisioning is false, so no apply retries them. Fix the cause and set it to true (or remove it) " +
			"to retry them in the next apply.")
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("provisioning_failures"),
		fmt.Sprintf("Provisioning failed for %d user(s)", len(failed)), b.String())
}

// failureReasons maps a user id to the reason of its last failure, and
// names where the reasons come from. Advisory: one attempt per call,
// bounded like a plan-time check; a failure leaves the map empty.
func (r *oktaWrikeProvisioningResource) failureReasons(ctx context.Context, appID string) (map[string]string, string) {
	reasons := map[string]string{}
	checkCtx, cancel := planCheckContext(ctx)
	defer cancel()
	tasks, err := r.okta.ListProvisioningTasks(checkCtx, appID, oktaapi.TaskFailed)
	if err == nil {
		for _, t := range tasks {
			reasons[t.UserID] = t.LastError
		}
		return reasons, "Okta's provisioning tasks"
	}
	if !errors.Is(err, oktaclient.ErrNotFound) {
		return reasons, "Okta's provisioning tasks (" + err.Error() + ")"
	}
	// An Okta org: its System Log, newest event first.
	events, err := r.okta.RecentProvisioningFailures(checkCtx, appID, 1000)
	if err != nil {
		return reasons, "the System Log (" + err.Error() + ")"
	}
	for _, e := range events {
		for _, t := range e.Target {
			if _, seen := reasons[t.ID]; !seen && t.Type == "User" {
				reasons[t.ID] = e.Outcome.Reason
			}
		}
	}
	return reasons, "the System Log of the last 7 days"
}
