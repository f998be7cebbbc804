package planmodifiers

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var testSchema = schema.Schema{Attributes: map[string]schema.Attribute{
	"token":    schema.StringAttribute{Computed: true},
	"triggers": schema.MapAttribute{ElementType: types.StringType, Optional: true},
}}

var objType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"token":    tftypes.String,
	"triggers": tftypes.Map{ElementType: tftypes.String},
}}

func object(token tftypes.Value, triggers map[string]string) tftypes.Value {
	t := tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, nil)
	if triggers != nil {
		m := map[string]tftypes.Value{}
		for k, v := range triggers {
			m[k] = tftypes.NewValue(tftypes.String, v)
		}
		t = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
	}
	return tftypes.NewValue(objType, map[string]tftypes.Value{"token": token, "triggers": t})
}

func TestStringUseStateUnlessChanged(t *testing.T) {
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	old := tftypes.NewValue(tftypes.String, "old-token")
	null := tftypes.NewValue(tftypes.String, nil)
	cases := []struct {
		name          string
		state         tftypes.Value // nil value: creating
		stateTok      types.String
		planTriggers  map[string]string
		stateTriggers map[string]string
		wantUnknown   bool
		wantValue     types.String
	}{
		{name: "create", wantUnknown: true},
		{name: "unchanged triggers keep the token", state: old, stateTok: types.StringValue("old-token"),
			planTriggers: map[string]string{"r": "1"}, stateTriggers: map[string]string{"r": "1"}, wantValue: types.StringValue("old-token")},
		{name: "changed trigger regenerates", state: old, stateTok: types.StringValue("old-token"),
			planTriggers: map[string]string{"r": "2"}, stateTriggers: map[string]string{"r": "1"}, wantUnknown: true},
		{name: "triggers set after import regenerate", state: null, stateTok: types.StringNull(),
			planTriggers: map[string]string{"r": "1"}, wantUnknown: true},
		{name: "imported null stays null", state: null, stateTok: types.StringNull(), wantValue: types.StringNull()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.StringRequest{
				Path:        path.Root("token"),
				PlanValue:   types.StringUnknown(),
				ConfigValue: types.StringNull(),
				Plan:        tfsdk.Plan{Schema: testSchema, Raw: object(unknown, tc.planTriggers)},
				State:       tfsdk.State{Schema: testSchema, Raw: tftypes.NewValue(objType, nil)},
				StateValue:  types.StringNull(),
			}
			if tc.state.Type() != nil {
				req.State.Raw = object(tc.state, tc.stateTriggers)
				req.StateValue = tc.stateTok
			}
			resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
			StringUseStateUnlessChanged(path.Root("triggers")).PlanModifyString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if tc.wantUnknown {
				if !resp.PlanValue.IsUnknown() {
					t.Fatalf("plan = %v, want unknown", resp.PlanValue)
				}
				return
			}
			if !resp.PlanValue.Equal(tc.wantValue) {
				t.Fatalf("plan = %v, want %v", resp.PlanValue, tc.wantValue)
			}
		})
	}
}

// The Int64 variant (a token's version) follows the same triggers.
func TestInt64UseStateUnlessChanged(t *testing.T) {
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	old := tftypes.NewValue(tftypes.String, "old-token")
	for _, tc := range []struct {
		name        string
		planTrigger string
		wantUnknown bool
	}{
		{name: "unchanged triggers keep the version", planTrigger: "1"},
		{name: "a changed trigger leaves it unknown", planTrigger: "2", wantUnknown: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := planmodifier.Int64Request{
				Path:        path.Root("version"),
				PlanValue:   types.Int64Unknown(),
				ConfigValue: types.Int64Null(),
				Plan:        tfsdk.Plan{Schema: testSchema, Raw: object(unknown, map[string]string{"r": tc.planTrigger})},
				State:       tfsdk.State{Schema: testSchema, Raw: object(old, map[string]string{"r": "1"})},
				StateValue:  types.Int64Value(7),
			}
			resp := &planmodifier.Int64Response{PlanValue: req.PlanValue}
			Int64UseStateUnlessChanged(path.Root("triggers")).PlanModifyInt64(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if tc.wantUnknown != resp.PlanValue.IsUnknown() || (!tc.wantUnknown && resp.PlanValue.ValueInt64() != 7) {
				t.Fatalf("plan = %v", resp.PlanValue)
			}
		})
	}
}
