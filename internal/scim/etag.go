package scim

import "strings"

// ETag formats a resource version as the weak entity tag W/"<version>" that
// meta.version and the ETag header carry (RFC 7644 §3.14). A version that is
// already an entity tag is returned as is.
func ETag(version string) string {
	if strings.HasPrefix(version, `W/"`) || strings.HasPrefix(version, `"`) {
		return version
	}
	return `W/"` + version + `"`
}

// opaque strips the weak prefix and quotes: entity tags compare weakly here,
// as RFC 7232 §2.3.2 allows for If-None-Match and SCIM's weak tags need for If-Match.
func opaque(tag string) string {
	tag = strings.TrimSpace(tag)
	tag = strings.TrimPrefix(tag, "W/")
	tag = strings.TrimPrefix(tag, "w/")
	return strings.Trim(tag, `"`)
}

// etagListMatches reports whether header (a comma-separated list of entity
// tags, or "*") names the current version.
func etagListMatches(header, current string) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	cur := opaque(current)
	for _, t := range strings.Split(header, ",") {
		if opaque(t) == cur && strings.TrimSpace(t) != "" {
			return true
		}
	}
	return false
}

// IfMatch reports whether a request with this If-Match header may proceed on a
// resource at version current (a version or an entity tag). An empty header
// always proceeds; on false answer 412 (PreconditionFailed).
func IfMatch(header, current string) bool {
	if strings.TrimSpace(header) == "" {
		return true
	}
	return etagListMatches(header, current)
}

// IfNoneMatch reports whether a request with this If-None-Match header should
// be served in full; false means the client's copy is current (304 for a GET,
// 412 for a write).
func IfNoneMatch(header, current string) bool {
	if strings.TrimSpace(header) == "" {
		return true
	}
	return !etagListMatches(header, current)
}
