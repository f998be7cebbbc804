package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/validators"
)

// The optional wait of okta_wrike_provisioning: after an apply, wait until
// Okta's provisioning queue for the app is idle, then report every user
// Wrike refused (or that still fails) as a warning with the reason Okta's
// System Log gives. It reads the provisioning tasks API of the reference
// backend's Okta face (DESIGN.md).

// waitForProvisioningModel is the wait_for_provisioning attribute.
type waitForProvisioningModel struct {
	Timeout types.String `tfsdk:"timeout"`
}

const (
	defaultProvisioningWait = 5 * time.Minute
	maxProvisioningWait     = time.Hour
)

func waitForProvisioningAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "When set, every apply that creates or changes this resource then waits until Okta's provisioning queue " +
			"for the app is idle (at most timeout), and reports each user Wrike refused, or that Okta still retries, as a " +
			"warning with the reason from Okta's System Log. The apply succeeds either way. Off when unset. Needs the " +
			"provisioning tasks API of the reference backend's Okta face; against an org without it, the wait is skipped with a warning.",
		Attributes: map[string]schema.Attribute{
			"timeout": schema.StringAttribute{
				Optional:    true,
				Description: "Longest wait, as a duration such as 90s or 5m (default 5m, at most 1h).",
				Validators:  []validator.String{validators.Duration(maxProvisioningWait)},
			},
		},
	}
}

// waitForProvisioning runs the wait when the plan asks for it.
func (r *oktaWrikeProvisioningResource) waitForProvisioning(ctx context.Context, plan oktaWrikeProvisioningModel, diags *diag.Diagnostics) {
	if plan.WaitForProvisioning == nil {
		return
	}
	timeout := defaultProvisioningWait
	if v := plan.WaitForProvisioning.Timeout; !v.IsNull() && !v.IsUnknown() {
		timeout, _ = time.ParseDuration(v.ValueString()) // validated at plan time
	}
	diags.Append(waitForProvisioning(ctx, r.okta, plan.AppID.ValueString(), timeout, 500*time.Millisecond)...)
}

// waitForProvisioning polls the app's PENDING tasks (every poll, doubling
// to 5 s) until none is left or timeout passes, then returns a warning for
// each FAILED task and each task still retrying.
func waitForProvisioning(ctx context.Context, c *oktaclient.Client, appID string, timeout, poll time.Duration) diag.Diagnostics {
	var diags diag.Diagnostics
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var pending []oktaapi.ProvisioningTask
	for {
		var err error
		pending, err = c.ListProvisioningTasks(ctx, appID, oktaapi.TaskPending)
		if err != nil && ctx.Err() == nil {
			diags.AddWarning("Cannot wait for provisioning", waitErrorDetail(appID, err))
			return diags
		}
		if err == nil && len(pending) == 0 {
			break
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
			poll = min(poll*2, 5*time.Second)
			continue
		}
		break
	}
	// The queue's last word, read with a fresh deadline if the wait ran out.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer rcancel()
	failed, err := c.ListProvisioningTasks(rctx, appID, oktaapi.TaskFailed)
	if err != nil {
		diags.AddWarning("Cannot read the failed provisioning tasks", waitErrorDetail(appID, err))
		return diags
	}
	for _, t := range failed {
		diags.AddWarning(fmt.Sprintf("Wrike refused %s", t.Login), taskDetail(t,
			"Okta gave up on this task. Fix the cause in this configuration (for example a wrike_approved_domain for the user's "+
				"domain, in this resource's depends_on) and apply: with retry_failed_provisioning on, the plan retries every failed "+
				"task of the app. To accept the refusal, set retry_failed_provisioning = false."))
	}
	if ctx.Err() != nil {
		if pending, err = c.ListProvisioningTasks(rctx, appID, oktaapi.TaskPending); err == nil && len(pending) > 0 {
			diags.AddWarning("Provisioning not finished",
				fmt.Sprintf("After %s, Okta still has %d provisioning task(s) queued for app %q; they go on in the background.", timeout, len(pending), appID))
		}
		for _, t := range pending {
			if t.Attempts > 0 {
				diags.AddWarning(fmt.Sprintf("Provisioning of %s still failing", t.Login), taskDetail(t, "Okta keeps retrying."))
			}
		}
	}
	return diags
}

func taskDetail(t oktaapi.ProvisioningTask, next string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Okta could not %s user %s (%s) in Wrike", strings.ToLower(t.Operation), t.Login, t.UserID)
	if t.Attempts > 0 {
		fmt.Fprintf(&b, " after %d attempt(s), the last at %s", t.Attempts, t.LastAttemptAt)
	}
	if t.LastError != "" {
		fmt.Fprintf(&b, ".\nReason (System Log): %s", t.LastError)
	}
	b.WriteString(".\n" + next)
	return b.String()
}
