package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
)

// scimIntegrationList lists the SCIM integrations turned on in Wrike.
type scimIntegrationList struct {
	scimIntegrationResource
}

var _ list.ListResourceWithConfigure = (*scimIntegrationList)(nil)

// NewSCIMIntegrationList is the wrike_scim_integration list resource.
func NewSCIMIntegrationList() list.ListResource { return &scimIntegrationList{} }

func (l *scimIntegrationList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The SCIM integrations enabled in Wrike, named by identity provider. Wrike has one integration " +
			"per identity provider, always there and disabled until someone enables it; the disabled ones are not " +
			"listed, as nothing was set up in them.",
	}
}

func (l *scimIntegrationList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	streamList(req, stream, func(s *listStream) {
		integrations, err := l.client.ListSCIMIntegrations(ctx)
		if err != nil {
			s.note(diag.Diagnostics{diag.NewErrorDiagnostic("Cannot list the Wrike SCIM integrations", wrikeErrorDetail(err))})
			return
		}
		for i := range integrations {
			if !integrations[i].Enabled {
				continue
			}
			var m scimIntegrationModel
			m.fromAPI(&integrations[i])
			display := integrations[i].IdentityProvider + " (" + integrations[i].SCIMURL + ")"
			if !s.add(listed(ctx, req, scimIntegrationIdentity, integrations[i].IdentityProvider, display, m)) {
				return
			}
		}
	})
}
