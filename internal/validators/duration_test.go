package validators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestDuration(t *testing.T) {
	at := path.Root("wait_for_provisioning").AtName("timeout")
	run := func(v types.String) validator.StringResponse {
		var resp validator.StringResponse
		Duration(time.Hour).ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: v}, &resp)
		return resp
	}
	for _, v := range []string{"1ns", "90s", "5m", "1h", "59m59s", "1h0m0s"} {
		if resp := run(types.StringValue(v)); resp.Diagnostics.HasError() {
			t.Errorf("%q rejected: %v", v, resp.Diagnostics)
		}
	}
	// Past the limit by the smallest step, zero, negative, and not a duration.
	for _, v := range []string{"1h0m0.000000001s", "2h", "0s", "0", "-1m", "", "forever", "5", "1 m"} {
		resp := run(types.StringValue(v))
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q accepted", v)
			continue
		}
		d := resp.Diagnostics[0]
		if d.Summary() != "Invalid duration in wait_for_provisioning.timeout" ||
			!strings.Contains(d.Detail(), "at most 1h0m0s") || !strings.Contains(d.Detail(), `"`+v+`"`) {
			t.Errorf("%q: %s: %s", v, d.Summary(), d.Detail())
		}
	}
	// Unknown and null values wait for apply or are someone else's concern.
	for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
		if resp := run(v); resp.Diagnostics.HasError() {
			t.Errorf("%v rejected: %v", v, resp.Diagnostics)
		}
	}
}
