package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// The impact of a plan that removes assignments of okta_wrike_provisioning:
// before the apply deactivates people in Wrike, the plan names each group
// removed with its member count, and the people who lose the app (those
// not kept by a group or a direct assignment that stays).

const (
	// impactShown caps the people a warning names.
	impactShown = 10
	// impactMembers caps the members read per removed group.
	impactMembers = 1000
	// impactChecks caps the people whose other groups are looked up.
	impactChecks = 200
)

// removalImpact is what the plan's removals do to the people assigned.
type removalImpact struct {
	okta       *oktaclient.Client
	keepGroups map[string]string
	keepUsers  map[string]string
	// stays caches whether a user keeps the app through a kept group.
	stays  map[string]bool
	checks int
}

// warnRemovalsAtPlan warns, for each group the plan removes (and once for
// the direct users it removes), who is deactivated in Wrike by it.
// Advisory: Okta is read with one bounded attempt per call; when it cannot
// be read the warning still names the removal.
func (r *oktaWrikeProvisioningResource) warnRemovalsAtPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.okta == nil || req.State.Raw.IsNull() {
		return
	}
	var planGroups, stateGroups, planUsers, stateUsers types.Map
	var planEveryone, stateEveryone, planDeactivate, stateDeactivate types.Bool
	for _, g := range []struct {
		from interface {
			GetAttribute(context.Context, path.Path, any) diag.Diagnostics
		}
		name string
		into any
	}{
		{resp.Plan, "group_assignments", &planGroups}, {req.State, "group_assignments", &stateGroups},
		{resp.Plan, "user_assignments", &planUsers}, {req.State, "user_assignments", &stateUsers},
		{resp.Plan, "assign_everyone", &planEveryone}, {req.State, "assign_everyone", &stateEveryone},
		{resp.Plan, "deactivate_users", &planDeactivate}, {req.State, "deactivate_users", &stateDeactivate},
	} {
		resp.Diagnostics.Append(g.from.GetAttribute(ctx, path.Root(g.name), g.into)...)
	}
	if resp.Diagnostics.HasError() || planGroups.IsUnknown() || planUsers.IsUnknown() || planEveryone.IsUnknown() || planEveryone.ValueBool() {
		return // unknown, or everyone stays assigned through Everyone
	}
	keepGroups, keepUsers := assignmentMap(planGroups), assignmentMap(planUsers)
	var removedGroups, removedUsers []string
	for _, id := range sortedKeys(assignmentMap(stateGroups)) {
		if _, ok := keepGroups[id]; !ok {
			removedGroups = append(removedGroups, id)
		}
	}
	for _, id := range sortedKeys(assignmentMap(stateUsers)) {
		if _, ok := keepUsers[id]; !ok {
			removedUsers = append(removedUsers, id)
		}
	}
	if stateEveryone.ValueBool() {
		everyone := &everyoneGroup{okta: r.okta}
		everyone.load(ctx, req.Private)
		if id, err := everyone.ID(ctx); err == nil {
			removedGroups = append(removedGroups, id)
		}
	}
	if len(removedGroups)+len(removedUsers) == 0 {
		return
	}
	deactivates := planDeactivate.IsUnknown() || planDeactivate.ValueBool()
	turnedOn := deactivates && !stateDeactivate.ValueBool()
	checkCtx, cancel := planCheckContext(ctx)
	defer cancel()
	im := &removalImpact{okta: r.okta, keepGroups: keepGroups, keepUsers: keepUsers, stays: map[string]bool{}}
	for _, id := range removedGroups {
		at := path.Root("group_assignments").AtMapKey(id)
		name := id
		if g, err := r.okta.GetGroup(checkCtx, id); err == nil {
			name = g.Profile.Name
			if g.Type == oktaapi.GroupTypeBuiltIn {
				at = path.Root("assign_everyone")
			}
		}
		members, complete, err := im.members(checkCtx, id)
		what := fmt.Sprintf("Group %q (%s)", name, id)
		if err != nil {
			resp.Diagnostics.AddAttributeWarning(at, fmt.Sprintf("Removing group %q from the app", name),
				what+" is removed from the app: its members who are not assigned otherwise lose Wrike"+
					deactivationNote(deactivates, turnedOn)+". Reading its members failed, so this plan cannot name them.\n"+oktaErrorDetail(err))
			continue
		}
		count := fmt.Sprint(len(members))
		if !complete {
			count = "more than " + count
		}
		leaving, unsure := im.leaving(checkCtx, members)
		resp.Diagnostics.Append(impactDiagnostic(at, fmt.Sprintf("Removing group %q", name),
			fmt.Sprintf("%s has %s member(s) and is removed from the app.", what, count), leaving, unsure, deactivates, turnedOn))
	}
	if len(removedUsers) > 0 {
		var users []oktaapi.User
		for _, id := range removedUsers[:min(len(removedUsers), impactChecks)] {
			u := oktaapi.User{ID: id}
			u.Profile.Login = id
			if got, err := r.okta.GetUser(checkCtx, id); err == nil {
				u = *got
			}
			users = append(users, u)
		}
		leaving, unsure := im.leaving(checkCtx, users)
		resp.Diagnostics.Append(impactDiagnostic(path.Root("user_assignments"), "Removing direct assignments",
			fmt.Sprintf("%d person(s) assigned directly are removed from the app.", len(removedUsers)), leaving, unsure, deactivates, turnedOn))
	}
}

// members reads up to impactMembers members of a group; complete is false
// when there are more.
func (im *removalImpact) members(ctx context.Context, groupID string) (members []oktaapi.User, complete bool, err error) {
	pager := im.okta.GroupMemberPages(groupID)
	for len(members) < impactMembers {
		page, done, err := pager.Next(ctx)
		if err != nil {
			return nil, false, err
		}
		members = append(members, page...)
		if done {
			return members, true, nil
		}
	}
	return members[:impactMembers], false, nil
}

// leaving is the people among users who lose the app: not kept by a direct
// assignment or a kept group. unsure counts those it could not check (past
// impactChecks, or Okta failing).
func (im *removalImpact) leaving(ctx context.Context, users []oktaapi.User) (leaving []string, unsure int) {
	for _, u := range users {
		if _, direct := im.keepUsers[u.ID]; direct {
			continue
		}
		stays, known := im.staysThroughGroup(ctx, u.ID)
		switch {
		case !known:
			unsure++
		case !stays:
			leaving = append(leaving, u.Profile.Login)
		}
	}
	slices.Sort(leaving)
	return leaving, unsure
}

func (im *removalImpact) staysThroughGroup(ctx context.Context, userID string) (stays, known bool) {
	if len(im.keepGroups) == 0 {
		return false, true
	}
	if s, ok := im.stays[userID]; ok {
		return s, true
	}
	if im.checks >= impactChecks {
		return false, false
	}
	im.checks++
	groups, err := im.okta.ListUserGroups(ctx, userID)
	if err != nil {
		return false, false
	}
	s := slices.ContainsFunc(groups, func(g oktaapi.Group) bool { _, ok := im.keepGroups[g.ID]; return ok })
	im.stays[userID] = s
	return s, true
}

func impactDiagnostic(at path.Path, summary, what string, leaving []string, unsure int, deactivates, turnedOn bool) diag.Diagnostic {
	var b strings.Builder
	b.WriteString(what + " ")
	switch {
	case len(leaving) == 0 && unsure == 0:
		b.WriteString("Everyone in it stays assigned through another group or directly: nobody loses Wrike.")
		return diag.NewAttributeWarningDiagnostic(at, summary+": nobody loses Wrike", b.String())
	case deactivates:
		fmt.Fprintf(&b, "%d person(s) lose the app and are deactivated in Wrike (kept, their seats freed)", len(leaving))
	default:
		fmt.Fprintf(&b, "%d person(s) lose the app", len(leaving))
	}
	if len(leaving) > 0 {
		b.WriteString(": " + strings.Join(leaving[:min(len(leaving), impactShown)], ", "))
		if n := len(leaving) - impactShown; n > 0 {
			fmt.Fprintf(&b, " and %d more", n)
		}
	}
	if unsure > 0 {
		fmt.Fprintf(&b, "; for %d more this plan could not tell whether another group keeps them", unsure)
	}
	b.WriteString("." + deactivationNote(deactivates, turnedOn))
	verb := "unassigns"
	if deactivates {
		verb = "deactivates"
	}
	return diag.NewAttributeWarningDiagnostic(at, fmt.Sprintf("%s %s %d person(s) in Wrike", summary, verb, len(leaving)), b.String())
}

func deactivationNote(deactivates, turnedOn bool) string {
	switch {
	case turnedOn:
		return " deactivate_users turns on in this plan, so the removal deactivates them."
	case deactivates:
		return ""
	default:
		return " deactivate_users is off, so they stay active (and billable) in Wrike, no longer updated by Okta."
	}
}
