package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// checkAssignmentsAtPlan checks the group and user ids that the plan adds:
// each must be an Okta group (not Everyone, which is assign_everyone) or
// an Okta user, in the right attribute. It reads one paged list per kind,
// only as far as it needs, and only when the plan adds ids of that kind.
// When Okta cannot be read it warns and leaves the check to apply.
func (r *oktaWrikeProvisioningResource) checkAssignmentsAtPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.okta == nil {
		return
	}
	added := func(name string) []string {
		var plan, state types.Map
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(name), &plan)...)
		if !req.State.Raw.IsNull() {
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &state)...)
		}
		prior := assignmentMap(state)
		var ids []string
		for id := range assignmentMap(plan) {
			if _, ok := prior[id]; !ok {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	groupIDs, userIDs := added("group_assignments"), added("user_assignments")
	if resp.Diagnostics.HasError() || len(groupIDs)+len(userIDs) == 0 {
		return
	}
	dir := oktaDirectory{
		groups: newCatalog(r.okta.GroupPages(), func(g oktaapi.Group) string { return g.ID }),
		users:  newCatalog(r.okta.UserPages(), func(u oktaapi.User) string { return u.ID }),
	}
	for _, id := range groupIDs {
		d, err := dir.checkGroup(ctx, id)
		if err != nil {
			resp.Diagnostics.Append(cannotCheckAssignments(err))
			return
		}
		resp.Diagnostics.Append(d...)
	}
	for _, id := range userIDs {
		d, err := dir.checkUser(ctx, id)
		if err != nil {
			resp.Diagnostics.Append(cannotCheckAssignments(err))
			return
		}
		resp.Diagnostics.Append(d...)
	}
}

// oktaDirectory is the org's groups and users, each list read at most once
// and only as far as a lookup needs.
type oktaDirectory struct {
	groups *catalog[oktaapi.Group]
	users  *catalog[oktaapi.User]
}

func (d oktaDirectory) checkGroup(ctx context.Context, id string) (diag.Diagnostics, error) {
	at := path.Root("group_assignments").AtMapKey(id)
	var diags diag.Diagnostics
	g, ok, err := d.groups.find(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case ok && g.Type == oktaapi.GroupTypeBuiltIn:
		diags.Append(everyoneListedDiagnostic(id))
	case ok:
	default:
		_, isUser, err := d.users.find(ctx, id)
		if err != nil {
			return nil, err
		}
		if isUser {
			diags.AddAttributeError(at, "User id in group_assignments",
				fmt.Sprintf("%q is the id of an Okta user, not of a group: assign the user in user_assignments.", id))
		} else {
			diags.AddAttributeError(at, "No such Okta group", fmt.Sprintf("The Okta org has no group with id %q.", id))
		}
	}
	return diags, nil
}

func (d oktaDirectory) checkUser(ctx context.Context, id string) (diag.Diagnostics, error) {
	at := path.Root("user_assignments").AtMapKey(id)
	var diags diag.Diagnostics
	_, ok, err := d.users.find(ctx, id)
	if err != nil || ok {
		return nil, err
	}
	g, isGroup, err := d.groups.find(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case isGroup && g.Type == oktaapi.GroupTypeBuiltIn:
		diags.AddAttributeError(at, "Everyone listed as a user",
			fmt.Sprintf("%q is Okta's built-in Everyone group: assign it with assign_everyone = true, not in user_assignments.", id))
	case isGroup:
		diags.AddAttributeError(at, "Group id in user_assignments",
			fmt.Sprintf("%q is the id of an Okta group, not of a user: assign the group in group_assignments.", id))
	default:
		diags.AddAttributeError(at, "No such Okta user", fmt.Sprintf("The Okta org has no user with id %q.", id))
	}
	return diags, nil
}

// catalog is one of Okta's lists, read page by page as lookups need it.
type catalog[T any] struct {
	pager *oktaclient.Pager[T]
	id    func(T) string
	seen  map[string]T
	done  bool
}

func newCatalog[T any](pager *oktaclient.Pager[T], id func(T) string) *catalog[T] {
	return &catalog[T]{pager: pager, id: id, seen: map[string]T{}}
}

// find reads pages until id is among what it has read or the list ends.
// It serves plan-time checks only.
func (c *catalog[T]) find(ctx context.Context, id string) (T, bool, error) {
	for {
		if v, ok := c.seen[id]; ok {
			return v, true, nil
		}
		if c.done {
			var zero T
			return zero, false, nil
		}
		// Each page is one attempt, bounded like every plan-time check: an
		// Okta that fails or hangs is a warning now, not minutes of retries.
		pageCtx, cancel := planCheckContext(ctx)
		page, done, err := c.pager.Next(pageCtx)
		cancel()
		if err != nil {
			var zero T
			return zero, false, err
		}
		for _, v := range page {
			c.seen[c.id(v)] = v
		}
		c.done = done
	}
}
