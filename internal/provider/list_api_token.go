package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// apiTokenList lists the API apps of the Wrike account.
type apiTokenList struct {
	apiTokenResource
}

var _ list.ListResourceWithConfigure = (*apiTokenList)(nil)

// NewAPITokenList is the wrike_api_token list resource.
func NewAPITokenList() list.ListResource { return &apiTokenList{} }

type apiTokenListModel struct {
	AppName types.String `tfsdk:"app_name"`
}

func (l *apiTokenList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The API apps of the Wrike account, named by the app's id. Wrike never shows an existing " +
			"token, so importing an app regenerates its token on the first apply (the old one stops working): " +
			"list only the app Okta uses, with app_name.",
		Attributes: map[string]schema.Attribute{
			"app_name": schema.StringAttribute{
				Optional:    true,
				Description: "List only the API apps of this name (exact match), such as the one Okta's Wrike app uses.",
			},
		},
	}
}

func (l *apiTokenList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg apiTokenListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	streamList(req, stream, func(s *listStream) {
		apps, err := l.client.ListAPIApps(ctx)
		if err != nil {
			s.note(diag.Diagnostics{diag.NewErrorDiagnostic("Cannot list the Wrike API apps", wrikeErrorDetail(err))})
			return
		}
		found := 0
		for i := range apps {
			if !cfg.AppName.IsNull() && apps[i].Name != cfg.AppName.ValueString() {
				continue
			}
			m := apiTokenModel{RotationTriggers: types.MapNull(types.StringType)}
			m.fromAPI(&apps[i])
			m.Token = types.StringNull() // never in a listing; the first apply after the import regenerates it
			found++
			if !s.add(listed(ctx, req, apiTokenIdentity, apps[i].ID, fmt.Sprintf("%s (%s)", apps[i].Name, apps[i].ID), m)) {
				break
			}
		}
		if found > 0 {
			// What importing a listed app costs, said where terraform query shows it.
			s.note(diag.Diagnostics{diag.NewWarningDiagnostic("Adopting an API app regenerates its token",
				"Wrike shows an API app's token only when it is created or regenerated, so Terraform cannot know the "+
					"token of an app it imports: the first apply after the import regenerates it, and the old token stops "+
					"working at once. Whatever uses the token must get the new one in that apply: in the configuration "+
					"written for okta_wrike_provisioning, set bearer_token_wo = wrike_api_token.<name>.token and "+
					"bearer_token_wo_version = wrike_api_token.<name>.token_version, and drop bearer_token. Import only "+
					"the app Okta uses (list it with app_name): another integration's token would stop working too.")})
		}
	})
}
