package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestDomainName(t *testing.T) {
	good := []string{"example.com", "Acme.Example.COM", "a-b.c0.io", strings.Repeat("a", 63) + ".com",
		"bücher.example", "XN--BCHER-KVA.example", "пример.com", "παράδειγμα.example"}
	bad := map[string]string{
		"":                                      "empty",
		"localhost":                             "two labels",
		"exa mple.com":                          "not a valid domain name",
		"-acme.com":                             "not a valid domain name",
		"acme-.com":                             "not a valid domain name",
		"acme..com":                             "not a valid domain name",
		"acme.com.":                             "ends with a dot",
		" acme.com":                             "spaces",
		"user@acme.com":                         `it is an email address; write only its domain, "acme.com"`,
		"https://acme.example.com":              `it is a URL; write only its domain, such as "acme.example.com"`,
		"https://acme.example.com:8443/x":       `it is a URL; write only its domain, such as "acme.example.com"`,
		"acme.example.com/login":                `it has a path; write only the domain, "acme.example.com"`,
		"192.0.2.1":                             "IP address",
		"[2001:db8::1]":                         "IP address",
		"\u212Aiss.example.com":                 "U+212A",
		"\u0430cme.example.com":                 `U+0430 "а" is Cyrillic`,
		"xn--cme-5cd.example.com":               "mixes the scripts Cyrillic and Latin",
		strings.Repeat("a", 64) + ".com":        "at most 63",
		strings.Repeat("abcdefgh.", 30) + "com": "at most 253",
	}
	run := func(v string) validator.StringResponse {
		var resp validator.StringResponse
		DomainName().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("domain"), ConfigValue: types.StringValue(v)}, &resp)
		return resp
	}
	for _, v := range good {
		if resp := run(v); resp.Diagnostics.HasError() {
			t.Errorf("%q rejected: %v", v, resp.Diagnostics)
		}
	}
	for v, want := range bad {
		resp := run(v)
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q accepted", v)
			continue
		}
		if d := resp.Diagnostics.Errors()[0].Detail(); !strings.Contains(d, want) {
			t.Errorf("%q: detail %q does not say %q", v, d, want)
		}
	}
	var resp validator.StringResponse
	DomainName().ValidateString(context.Background(), validator.StringRequest{ConfigValue: types.StringUnknown()}, &resp)
	if resp.Diagnostics.HasError() {
		t.Error("unknown value rejected; it must wait for apply")
	}
}
