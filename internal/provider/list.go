package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// The list resources (Terraform 1.14 and later) let `terraform query` find
// what an admin set up by hand, and `terraform query
// -generate-config-out=FILE` write a resource block and an import block
// (by identity) for each object found, so a hand-made setup comes under
// Terraform in one step. Each lists with the same API calls and the same
// mapping as its resource's Read, so the configuration written from a
// listed object plans no change once imported (the API token aside, which
// Wrike never shows again and is regenerated).

// listed is one object a list resource found: key is its identity (see
// resourceIdentity), display what `terraform query` shows for it, and
// model its resource's state, set only when Terraform asks for it.
func listed(ctx context.Context, req list.ListRequest, ri resourceIdentity, key, display string, model any) list.ListResult {
	res := req.NewListResult(ctx)
	res.DisplayName = display
	res.Diagnostics.Append(res.Identity.SetAttribute(ctx, path.Root(ri.attr), key)...)
	if req.IncludeResource {
		res.Diagnostics.Append(res.Resource.Set(ctx, model)...)
	}
	return res
}

// listStream pushes results, at most req.Limit of them when it is set, and
// stops as soon as Terraform wants no more.
type listStream struct {
	req   list.ListRequest
	push  func(list.ListResult) bool
	count int64
	// closed is set once push returned false: pushing again would panic.
	closed bool
}

// add pushes one result; false means stop listing.
func (s *listStream) add(r list.ListResult) bool {
	if s.closed {
		return false
	}
	if !s.push(r) {
		s.closed = true
		return false
	}
	s.count++
	return s.req.Limit <= 0 || s.count < s.req.Limit
}

// note pushes diagnostics on their own: a warning about the listing, or an
// error, which ends it.
func (s *listStream) note(diags diag.Diagnostics) {
	if !s.closed && !s.push(list.ListResult{Diagnostics: diags}) {
		s.closed = true
	}
}

// streamList sets stream to run fn when Terraform reads the results.
func streamList(req list.ListRequest, stream *list.ListResultsStream, fn func(s *listStream)) {
	stream.Results = func(push func(list.ListResult) bool) {
		fn(&listStream{req: req, push: push})
	}
}
