// Package validators holds plan-time validators that more than one
// resource or data source of the provider uses.
package validators

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

// DomainName accepts a domain name as Wrike approves it: any letter case,
// internationalised names as U-labels or A-labels (mailaddr.ParseDomain),
// at least two labels, no IP address.
func DomainName() validator.String { return domainName{} }

type domainName struct{}

func (domainName) Description(context.Context) string {
	return "must be a domain name such as example.com (internationalised names as U-labels or A-labels)"
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
	if strings.TrimSpace(v) != v {
		return "it has leading or trailing spaces"
	}
	// What is pasted in place of a domain: a URL or an address. Say so,
	// with the domain it holds, rather than how it fails to parse.
	if scheme, rest, ok := strings.Cut(v, "://"); ok && scheme != "" {
		host := rest
		if u, err := url.Parse(v); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		return fmt.Sprintf("it is a URL; write only its domain, such as %q", host)
	}
	if local, domain, ok := strings.Cut(v, "@"); ok && local != "" && domain != "" {
		return fmt.Sprintf("it is an email address; write only its domain, %q", domain)
	}
	if host, _, ok := strings.Cut(v, "/"); ok && host != "" && !strings.HasPrefix(v, "[") {
		return fmt.Sprintf("it has a path; write only the domain, %q", host)
	}
	if _, err := mailaddr.ParseDomain(v); err != nil {
		var e *mailaddr.Error
		if errors.As(err, &e) {
			return "it " + e.Reason
		}
		return err.Error()
	}
	return ""
}
