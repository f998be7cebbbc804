package provider

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// The assignments of okta_wrike_provisioning: who is assigned to the Okta
// app, read with one paged list per kind, checked at plan time with one
// paged list per kind, and reconciled with only the calls that differ.
// Every step is linear in the number of assignments: they are keyed maps
// (id → user type) in the schema as in the code.

// assignments is who is assigned to the app: group id or user id → the
// Wrike user type in the assignment's profile ("" when none).
type assignments struct {
	groups map[string]string
	users  map[string]string
}

func newAssignments() assignments {
	return assignments{groups: map[string]string{}, users: map[string]string{}}
}

func (a assignments) clone() assignments {
	return assignments{groups: maps.Clone(a.groups), users: maps.Clone(a.users)}
}

// assignmentMap reads a group_assignments or user_assignments value: id →
// user type, "" for a null user type. Null and unknown read as empty.
func assignmentMap(m types.Map) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	for id, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[id] = s.ValueString()
		}
	}
	return out
}

// assignmentValue is the attribute value of id → user type.
func assignmentValue(a map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(a))
	for id, ut := range a {
		elems[id] = optionalString(ut)
	}
	return types.MapValueMust(types.StringType, elems)
}

// setAssignments records a in m, the Everyone group (when its id is known)
// as assign_everyone rather than among the groups.
func setAssignments(m *oktaWrikeProvisioningModel, a assignments, everyoneID string) {
	groups := maps.Clone(a.groups)
	m.AssignEveryone, m.EveryoneUserType = types.BoolValue(false), types.StringNull()
	if ut, ok := groups[everyoneID]; ok && everyoneID != "" {
		m.AssignEveryone, m.EveryoneUserType = types.BoolValue(true), optionalString(ut)
		delete(groups, everyoneID)
	}
	m.GroupAssignments = assignmentValue(groups)
	m.UserAssignments = assignmentValue(a.users)
}

// everyoneGroup finds the org's Everyone group once, and keeps its id in
// private state.
type everyoneGroup struct {
	okta *oktaclient.Client
	id   string
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func (e *everyoneGroup) load(ctx context.Context, p privateGetter) {
	if p == nil {
		return
	}
	raw, _ := p.GetKey(ctx, privateEveryoneGroupID)
	var id string
	if json.Unmarshal(raw, &id) == nil && id != "" {
		e.id = id
	}
}

func (e *everyoneGroup) save(ctx context.Context, p privateSetter, diags *diag.Diagnostics) {
	if e.id != "" && p != nil {
		raw, _ := json.Marshal(e.id)
		diags.Append(p.SetKey(ctx, privateEveryoneGroupID, raw)...)
	}
}

func (e *everyoneGroup) ID(ctx context.Context) (string, error) {
	if e.id != "" {
		return e.id, nil
	}
	g, err := e.okta.EveryoneGroup(ctx)
	if err != nil {
		return "", err
	}
	e.id = g.ID
	return e.id, nil
}

// desiredAssignments turns a model into the app's assignments, the
// Everyone group among the groups when assign_everyone is set.
func desiredAssignments(ctx context.Context, m oktaWrikeProvisioningModel, everyone *everyoneGroup) (assignments, diag.Diagnostics) {
	var diags diag.Diagnostics
	a := assignments{groups: assignmentMap(m.GroupAssignments), users: assignmentMap(m.UserAssignments)}
	if len(a.groups) == 0 && !m.AssignEveryone.ValueBool() {
		return a, diags
	}
	id, err := everyone.ID(ctx)
	if err != nil {
		diags.Append(oktaErrorDiagnostic("Cannot find Okta's Everyone group", err))
		return a, diags
	}
	if _, listed := a.groups[id]; listed {
		diags.Append(everyoneListedDiagnostic(id))
		return a, diags
	}
	if m.AssignEveryone.ValueBool() {
		a.groups[id] = m.EveryoneUserType.ValueString()
	}
	return a, diags
}

// assignments reads the app's group assignments and direct user
// assignments: one paged list call per kind, the two kinds side by side.
// failed is the app users (of either scope) whose last push failed.
func (r *oktaWrikeProvisioningResource) assignments(ctx context.Context, appID string) (a assignments, failed []oktaapi.AppUser, err error) {
	a = newAssignments()
	var groups []oktaapi.ApplicationGroupAssignment
	var groupsErr error
	var wg sync.WaitGroup
	wg.Go(func() { groups, groupsErr = r.okta.ListGroupAssignments(ctx, appID) })
	users, err := r.okta.ListAppUsers(ctx, appID)
	wg.Wait()
	if err = errors.Join(groupsErr, err); err != nil {
		return a, nil, err
	}
	for _, g := range groups {
		a.groups[g.ID] = g.Profile.UserType
	}
	for _, u := range users {
		if u.Scope == oktaapi.ScopeUser {
			a.users[u.ID] = u.Profile.UserType
		}
		if u.SyncState == oktaapi.SyncStateError {
			failed = append(failed, u)
		}
	}
	return a, failed, nil
}

// assignmentWorkers bounds the assignment calls in flight: a large apply
// is not one round trip after another, and stays well under Okta's
// per-org concurrency limit.
const assignmentWorkers = 8

// assignmentChange is one call that moves an assignment, and what it
// changes in the app's assignments once Okta has accepted it.
type assignmentChange struct {
	attribute string // group_assignments or user_assignments
	id        string
	what      string // "assign group 00g…"
	call      func(context.Context) error
	apply     func(*assignments)
}

// reconcile makes only the changes between have and want: additions and
// user type changes first, so nobody is deprovisioned on the way, then
// removals. Removing what is already gone is not an error. It returns
// the assignments Okta has afterwards: have with every change Okta
// accepted, also when a change failed.
func (r *oktaWrikeProvisioningResource) reconcile(ctx context.Context, appID string, have, want assignments) (assignments, diag.Diagnostics) {
	done := have.clone()
	for _, step := range r.assignmentSteps(appID, have, want) {
		if diags := runChanges(ctx, step, &done); diags.HasError() {
			return done, diags
		}
	}
	return done, nil
}

// assignmentSteps are the changes from have to want in the order they must
// happen: group additions, user additions, user removals, group removals;
// the changes within a step are independent of each other.
func (r *oktaWrikeProvisioningResource) assignmentSteps(appID string, have, want assignments) [4][]assignmentChange {
	var steps [4][]assignmentChange
	for _, id := range sortedKeys(want.groups) {
		ut := want.groups[id]
		if cur, ok := have.groups[id]; ok && cur == ut {
			continue
		}
		steps[0] = append(steps[0], assignmentChange{
			attribute: "group_assignments", id: id, what: "assign group " + id,
			call: func(ctx context.Context) error {
				_, err := r.okta.AssignGroup(ctx, appID, id, oktaapi.ApplicationGroupAssignment{Profile: oktaapi.AssignmentProfile{UserType: ut}})
				return err
			},
			apply: func(a *assignments) { a.groups[id] = ut },
		})
	}
	for _, id := range sortedKeys(want.users) {
		ut := want.users[id]
		cur, ok := have.users[id]
		if ok && cur == ut {
			continue
		}
		steps[1] = append(steps[1], assignmentChange{
			attribute: "user_assignments", id: id, what: "assign user " + id,
			call: func(ctx context.Context) error {
				var err error
				if ok {
					_, err = r.okta.UpdateAppUser(ctx, appID, id, oktaapi.AssignmentProfile{UserType: ut})
				} else {
					_, err = r.okta.AssignUser(ctx, appID, id, oktaapi.AssignmentProfile{UserType: ut})
				}
				return err
			},
			apply: func(a *assignments) { a.users[id] = ut },
		})
	}
	steps[2] = removals("user_assignments", "user", have.users, want.users,
		func(ctx context.Context, id string) error { return r.okta.UnassignUser(ctx, appID, id) },
		func(a *assignments) map[string]string { return a.users })
	steps[3] = removals("group_assignments", "group", have.groups, want.groups,
		func(ctx context.Context, id string) error { return r.okta.UnassignGroup(ctx, appID, id) },
		func(a *assignments) map[string]string { return a.groups })
	return steps
}

// removals unassigns the ids of have that want lacks; one already gone is
// not an error.
func removals(attribute, kind string, have, want map[string]string, unassign func(context.Context, string) error, of func(*assignments) map[string]string) []assignmentChange {
	var out []assignmentChange
	for _, id := range sortedKeys(have) {
		if _, ok := want[id]; ok {
			continue
		}
		out = append(out, assignmentChange{
			attribute: attribute, id: id, what: "unassign " + kind + " " + id,
			call:  func(ctx context.Context) error { return ignoreNotFound(unassign(ctx, id)) },
			apply: func(a *assignments) { delete(of(a), id) },
		})
	}
	return out
}

func ignoreNotFound(err error) error {
	if errors.Is(err, oktaclient.ErrNotFound) {
		return nil
	}
	return err
}

// runChanges makes the calls of one step, assignmentWorkers at a time, and
// records each accepted change in done. After a failure no new call starts
// (those in flight finish and are recorded); every failure is reported.
func runChanges(ctx context.Context, changes []assignmentChange, done *assignments) diag.Diagnostics {
	var (
		mu     sync.Mutex
		failed atomic.Bool
		next   atomic.Int64
		errs   = make([]error, len(changes))
		wg     sync.WaitGroup
	)
	for range min(assignmentWorkers, len(changes)) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(changes) {
					return
				}
				if err := changes[i].call(ctx); err != nil {
					errs[i] = err
					failed.Store(true)
					return
				}
				mu.Lock()
				changes[i].apply(done)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var diags diag.Diagnostics
	for i, err := range errs {
		if err != nil {
			c := changes[i]
			diags.AddAttributeError(path.Root(c.attribute).AtMapKey(c.id), "Cannot "+c.what, oktaErrorDetail(err))
		}
	}
	return diags
}
