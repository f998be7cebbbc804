package scim

import (
	"strings"
)

// Schemas returns the core schema and the extension schemas of a resource type.
func (rt *ResourceType) Schemas() []*Schema {
	out := []*Schema{rt.Schema}
	for _, e := range rt.Extensions {
		out = append(out, e.Schema)
	}
	return out
}

type attributeJSON struct {
	Name            string           `json:"name"`
	Type            Type             `json:"type"`
	MultiValued     bool             `json:"multiValued"`
	Description     string           `json:"description,omitempty"`
	Required        bool             `json:"required"`
	CaseExact       bool             `json:"caseExact"`
	Mutability      Mutability       `json:"mutability"`
	Returned        Returned         `json:"returned"`
	Uniqueness      Uniqueness       `json:"uniqueness"`
	CanonicalValues []string         `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string         `json:"referenceTypes,omitempty"`
	SubAttributes   []*attributeJSON `json:"subAttributes,omitempty"`
}

func attributeRepresentation(a *Attribute) *attributeJSON {
	j := &attributeJSON{
		Name: a.Name, Type: a.Type, MultiValued: a.MultiValued, Description: a.Description + a.limitNote(),
		Required: a.Required, CaseExact: a.CaseExact, Mutability: a.mutability(),
		Returned: a.returned(), Uniqueness: a.Uniqueness, CanonicalValues: a.CanonicalValues,
		ReferenceTypes: a.ReferenceTypes,
	}
	if j.Uniqueness == "" {
		j.Uniqueness = UniquenessNone
	}
	if a.Type == TypeReference && len(j.ReferenceTypes) == 0 {
		j.ReferenceTypes = []string{"external"}
	}
	for _, s := range a.SubAttributes {
		j.SubAttributes = append(j.SubAttributes, attributeRepresentation(s))
	}
	return j
}

func meta(resourceType, location string) map[string]any {
	m := map[string]any{"resourceType": resourceType}
	if location != "" {
		m["location"] = location
	}
	return m
}

// SchemaRepresentation renders a schema as a /Schemas resource (RFC 7643 §7).
// baseURL is the SCIM base ("https://host/scim/v2") used for meta.location.
func SchemaRepresentation(s *Schema, baseURL string) map[string]any {
	attrs := make([]*attributeJSON, len(s.Attributes))
	for i, a := range s.Attributes {
		attrs[i] = attributeRepresentation(a)
	}
	return map[string]any{
		"schemas":     []string{SchemaSchema},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attrs,
		"meta":        meta("Schema", joinURL(baseURL, "/Schemas/"+s.ID)),
	}
}

// ResourceTypeRepresentation renders a resource type as a /ResourceTypes resource (RFC 7643 §6).
func ResourceTypeRepresentation(rt *ResourceType, baseURL string) map[string]any {
	exts := make([]map[string]any, len(rt.Extensions))
	for i, e := range rt.Extensions {
		exts[i] = map[string]any{"schema": e.Schema.ID, "required": e.Required}
	}
	return map[string]any{
		"schemas":          []string{SchemaResourceType},
		"id":               rt.ID,
		"name":             rt.Name,
		"endpoint":         rt.Endpoint,
		"description":      rt.Description,
		"schema":           rt.Schema.ID,
		"schemaExtensions": exts,
		"meta":             meta("ResourceType", joinURL(baseURL, "/ResourceTypes/"+rt.ID)),
	}
}

// SchemasList is the /Schemas response: every schema of the resource types, once.
func SchemasList(baseURL string, rts ...*ResourceType) *ListResponse {
	seen := map[string]bool{}
	var res []any
	for _, rt := range rts {
		for _, s := range rt.Schemas() {
			if !seen[s.ID] {
				seen[s.ID] = true
				res = append(res, SchemaRepresentation(s, baseURL))
			}
		}
	}
	return NewListResponse(len(res), 1, res)
}

// ResourceTypesList is the /ResourceTypes response.
func ResourceTypesList(baseURL string, rts ...*ResourceType) *ListResponse {
	res := make([]any, len(rts))
	for i, rt := range rts {
		res[i] = ResourceTypeRepresentation(rt, baseURL)
	}
	return NewListResponse(len(res), 1, res)
}

// ServiceProviderOptions says what a server supports, for ServiceProviderConfig.
type ServiceProviderOptions struct {
	DocumentationURI string
	Patch            bool
	Filter           bool
	MaxResults       int // filter.maxResults: the largest page
	ETag             bool
	Sort             bool
	ChangePassword   bool
	// Bulk is off when BulkMaxOperations is zero.
	BulkMaxOperations int
	BulkMaxPayload    int
}

// ServiceProviderConfig renders /ServiceProviderConfig (RFC 7643 §5) with the
// OAuth bearer token authentication scheme SCIM clients use with Wrike.
func ServiceProviderConfig(baseURL string, o ServiceProviderOptions) map[string]any {
	cfg := map[string]any{
		"schemas":        []string{SchemaServiceProviderConfig},
		"patch":          map[string]any{"supported": o.Patch},
		"bulk":           map[string]any{"supported": o.BulkMaxOperations > 0, "maxOperations": o.BulkMaxOperations, "maxPayloadSize": o.BulkMaxPayload},
		"filter":         map[string]any{"supported": o.Filter, "maxResults": o.MaxResults},
		"changePassword": map[string]any{"supported": o.ChangePassword},
		"sort":           map[string]any{"supported": o.Sort},
		"etag":           map[string]any{"supported": o.ETag},
		"authenticationSchemes": []map[string]any{{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": "Authentication with a Wrike API app's permanent token sent as \"Authorization: Bearer <token>\".",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
			"primary":     true,
		}},
		"meta": meta("ServiceProviderConfig", joinURL(baseURL, "/ServiceProviderConfig")),
	}
	if o.DocumentationURI != "" {
		cfg["documentationUri"] = o.DocumentationURI
	}
	return cfg
}

func joinURL(base, path string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + path
}
