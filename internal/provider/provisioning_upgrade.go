package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// upgradeAssignmentsV0 moves state of schema version 0, where the
// assignments were sets of {group_id, user_type} and {user_id, user_type},
// to keyed maps id → user type. Every other attribute is kept as is.
func upgradeAssignmentsV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot upgrade the state of okta_wrike_provisioning", "The stored state is not in JSON form.")
		return
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(req.RawState.JSON, &state); err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the state of okta_wrike_provisioning", err.Error())
		return
	}
	for name, key := range map[string]string{"group_assignments": "group_id", "user_assignments": "user_id"} {
		upgraded, err := assignmentSetToMap(state[name], key)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Cannot upgrade the state of okta_wrike_provisioning", err.Error())
			return
		}
		state[name] = upgraded
	}
	raw, err := json.Marshal(state)
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the state of okta_wrike_provisioning", err.Error())
		return
	}
	v, err := tftypes.ValueFromJSONWithOpts(raw, resp.State.Schema.Type().TerraformType(ctx), tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true})
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the state of okta_wrike_provisioning", err.Error())
		return
	}
	resp.State.Raw = v
}

// assignmentSetToMap turns [{"<key>": id, "user_type": t}, …] into
// {id: t, …}; a missing or null set becomes {}, the attribute's default.
func assignmentSetToMap(raw json.RawMessage, key string) (json.RawMessage, error) {
	var elems []map[string]*string
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*string, len(elems))
	for _, e := range elems {
		id := e[key]
		if id == nil {
			return nil, fmt.Errorf("an element has no %s", key)
		}
		out[*id] = e["user_type"]
	}
	return json.Marshal(out)
}
