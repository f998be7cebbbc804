package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
)

// approvedDomainList lists the approved domains of the Wrike account.
type approvedDomainList struct {
	approvedDomainResource
}

var _ list.ListResourceWithConfigure = (*approvedDomainList)(nil)

// NewApprovedDomainList is the wrike_approved_domain list resource.
func NewApprovedDomainList() list.ListResource { return &approvedDomainList{} }

func (l *approvedDomainList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Every approved email domain of the Wrike account, named by the domain as Wrike stores it.",
	}
}

func (l *approvedDomainList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	streamList(req, stream, func(s *listStream) {
		domains, err := l.client.ListApprovedDomains(ctx)
		if err != nil {
			s.note(diag.Diagnostics{diag.NewErrorDiagnostic("Cannot list the approved domains", wrikeErrorDetail(err))})
			return
		}
		for i := range domains {
			var m approvedDomainModel
			m.fromAPI(&domains[i])
			display := domains[i].DisplayDomain()
			if display != domains[i].Domain {
				display += " (" + domains[i].Domain + ")"
			}
			if !s.add(listed(ctx, req, approvedDomainIdentity, domains[i].Domain, display, m)) {
				return
			}
		}
	})
}
