package scim

import (
	"strings"
	"unicode/utf8"
)

// Path is a parsed PATCH attribute path (RFC 7644 §3.5.2, "PATH" in the ABNF):
// an attribute, optionally URN-qualified, with an optional sub-attribute, or a
// multi-valued attribute with a value filter and an optional sub-attribute.
type Path struct {
	ref    attrRef
	filter *node
	raw    string // as the client wrote it, for error details
}

// ParsePath parses a PATCH path such as "userName", "name.givenName",
// "emails[type eq \"work\"].value", "members[value eq \"2819c223\"]",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
// or an extension URN alone (the whole extension). Names are case-insensitive.
// Errors are 400 invalidPath saying what is wrong.
func ParsePath(rt *ResourceType, s string) (*Path, error) {
	p, _, err := parsePath(rt, s)
	return p, err
}

// parsePath also reports whether the path failed only because it names a
// schema the resource type does not have.
func parsePath(rt *ResourceType, s string) (*Path, bool, error) {
	p, err := parsePathRef(rt, s)
	if err != nil && hasPrefixFold(strings.TrimSpace(s), "urn:") {
		if _, reason := rt.resolve(strings.TrimSpace(s)); strings.HasPrefix(reason, "unknown schema") {
			return nil, true, err
		}
	}
	return p, false, err
}

func parsePathRef(rt *ResourceType, s string) (*Path, error) {
	if strings.TrimSpace(s) == "" {
		return nil, badRequest(ErrInvalidPath, "path is empty")
	}
	if len(s) > MaxFilterLength {
		return nil, badRequest(ErrInvalidPath, "path is %d bytes long; at most %d are accepted", len(s), MaxFilterLength)
	}
	if !utf8.ValidString(s) {
		return nil, badRequest(ErrInvalidPath, "path is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, '[')
	if i < 0 {
		ref, reason := rt.resolve(s)
		if reason != "" {
			return nil, badRequest(ErrInvalidPath, "path %q: %s", s, reason)
		}
		return &Path{ref: ref, raw: s}, nil
	}
	ref, reason := rt.resolve(s[:i])
	if reason != "" {
		return nil, badRequest(ErrInvalidPath, "path %q: %s", s, reason)
	}
	if ref.attr == nil || ref.sub != nil || ref.attr.Type != TypeComplex || !ref.attr.MultiValued {
		return nil, badRequest(ErrInvalidPath, "path %q: a value filter applies only to a multi-valued complex attribute", s)
	}
	p := parser{lex: lexer{src: s, pos: i + 1}, rt: rt, depth: 1}
	p.next()
	inner, err := p.parseOr(ref.attr)
	if err != nil {
		return nil, asPathError(s, err)
	}
	if p.tok.kind != tokRBracket {
		return nil, badRequest(ErrInvalidPath, "path %q: expected \"]\" but found %s", s, p.tok.describe())
	}
	rest := s[p.lex.pos:]
	if rest != "" {
		if rest[0] != '.' || len(rest) == 1 {
			return nil, badRequest(ErrInvalidPath, "path %q: only \".subAttribute\" may follow \"]\"", s)
		}
		ref.sub = ref.attr.SubAttribute(rest[1:])
		if ref.sub == nil {
			return nil, badRequest(ErrInvalidPath, "path %q: %q is not a sub-attribute of %q", s, rest[1:], ref.attr.Name)
		}
	}
	return &Path{ref: ref, filter: inner, raw: s}, nil
}

func asPathError(path string, err error) error {
	if e, ok := AsError(err); ok {
		return badRequest(ErrInvalidPath, "path %q: value filter: %s", path, e.Detail)
	}
	return err
}

// String renders the path with canonical names.
func (p *Path) String() string {
	if p.filter == nil {
		return p.ref.String()
	}
	var b strings.Builder
	if p.ref.ns != "" {
		b.WriteString(p.ref.ns)
		b.WriteByte(':')
	}
	b.WriteString(p.ref.attr.Name)
	b.WriteByte('[')
	writeNode(&b, p.filter)
	b.WriteByte(']')
	if p.ref.sub != nil {
		b.WriteByte('.')
		b.WriteString(p.ref.sub.Name)
	}
	return b.String()
}

// Schema is the extension URN the attribute belongs to, or "" for the core
// schema and the common attributes.
func (p *Path) Schema() string { return p.ref.ns }

// Attribute is the canonical name of the top-level attribute, or "" when the
// path is an extension URN alone.
func (p *Path) Attribute() string {
	if p.ref.attr == nil {
		return ""
	}
	return p.ref.attr.Name
}

// SubAttribute is the canonical name of the sub-attribute, or "".
func (p *Path) SubAttribute() string {
	if p.ref.sub == nil {
		return ""
	}
	return p.ref.sub.Name
}

// HasFilter reports whether the path has a value filter.
func (p *Path) HasFilter() bool { return p.filter != nil }
