// Package validators holds plan-time validators that more than one
// resource or data source of the provider uses.
package validators

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// DomainName accepts a DNS name in any letter case, as Wrike approves
// domains: at least two labels of letters, digits and hyphens, each 1–63
// characters and not starting or ending with a hyphen, 253 characters at
// most.
func DomainName() validator.String { return domainName{} }

type domainName struct{}

func (domainName) Description(context.Context) string {
	return "must be a domain name such as example.com"
}

func (d domainName) MarkdownDescription(ctx context.Context) string { return d.Description(ctx) }

func (domainName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := req.ConfigValue.ValueString()
	if reason := DomainNameProblem(v); reason != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid domain name",
			fmt.Sprintf("%q is not a domain name Wrike can approve: %s.", v, reason))
	}
}

// DomainNameProblem says what is wrong with v as a domain name, or "".
func DomainNameProblem(v string) string {
	switch {
	case v == "":
		return "it is empty"
	case strings.TrimSpace(v) != v:
		return "it has leading or trailing spaces"
	case len(v) > 253:
		return "it is longer than 253 characters"
	}
	labels := strings.Split(v, ".")
	if len(labels) < 2 {
		return "it needs at least two labels, such as example.com"
	}
	for _, l := range labels {
		switch {
		case l == "":
			return "it has an empty label (two dots in a row, or a dot at either end)"
		case len(l) > 63:
			return fmt.Sprintf("the label %q is longer than 63 characters", l)
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Sprintf("the label %q starts or ends with a hyphen", l)
		}
		for _, r := range l {
			if !isLabelRune(r) {
				return fmt.Sprintf("the label %q has the character %q; only letters, digits and hyphens are allowed", l, r)
			}
		}
	}
	return ""
}

func isLabelRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-'
}
