package wrike

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// The discovery endpoints (RFC 7644 §4) describe exactly this server: PATCH
// and ETags yes; bulk, sorting and password changes no; filters with a
// result cap of maxPageSize per page; bearer-token authentication.

var resourceTypes = []*scim.ResourceType{scim.UserResourceType, scim.GroupResourceType}

var allSchemas = []*scim.Schema{scim.UserSchema, scim.EnterpriseUserSchema, scim.WrikeUserSchema, scim.GroupSchema}

func writeDoc(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeSCIM(w, http.StatusOK, b)
	return nil
}

func listOf(docs []map[string]any) map[string]any {
	return map[string]any{
		"schemas":      []string{scim.SchemaListResponse},
		"totalResults": len(docs),
		"itemsPerPage": len(docs),
		"startIndex":   1,
		"Resources":    docs,
	}
}

func (s *Server) serviceProviderConfig(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	return writeDoc(w, map[string]any{
		"schemas":          []string{scim.SchemaServiceProviderConfig},
		"documentationUri": "https://github.com/wrike-community/terraform-provider-wrike#run-the-reference-backend",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxPageSize},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []map[string]any{{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": "A Wrike API app's permanent v4 token, sent as Authorization: Bearer <token>.",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
			"primary":     true,
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": c.base + "/ServiceProviderConfig"},
	})
}

func resourceTypeDoc(rt *scim.ResourceType, base string) map[string]any {
	exts := make([]map[string]any, 0, len(rt.Extensions))
	for _, e := range rt.Extensions {
		exts = append(exts, map[string]any{"schema": e.Schema.ID, "required": e.Required})
	}
	desc := rt.Description
	if rt == scim.GroupResourceType {
		desc = "Group (read-only and always empty: Wrike does not sync groups over SCIM)"
	}
	return map[string]any{
		"schemas":          []string{scim.SchemaResourceType},
		"id":               rt.ID,
		"name":             rt.Name,
		"endpoint":         rt.Endpoint,
		"description":      desc,
		"schema":           rt.Schema.ID,
		"schemaExtensions": exts,
		"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/" + rt.ID},
	}
}

func (s *Server) resourceTypes(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	docs := make([]map[string]any, 0, len(resourceTypes))
	for _, rt := range resourceTypes {
		docs = append(docs, resourceTypeDoc(rt, c.base))
	}
	return writeDoc(w, listOf(docs))
}

func (s *Server) resourceType(w http.ResponseWriter, r *http.Request, c scimCall) error {
	id := r.PathValue("id")
	for _, rt := range resourceTypes {
		if strings.EqualFold(rt.ID, id) {
			return writeDoc(w, resourceTypeDoc(rt, c.base))
		}
	}
	return scim.NotFound("ResourceType", id)
}

func orDefault[T ~string](v T, def T) T {
	if v == "" {
		return def
	}
	return v
}

func attributeDoc(a *scim.Attribute) map[string]any {
	d := map[string]any{
		"name":        a.Name,
		"type":        a.Type,
		"multiValued": a.MultiValued,
		"description": a.Description,
		"required":    a.Required,
		"caseExact":   a.CaseExact,
		"mutability":  orDefault(a.Mutability, scim.ReadWrite),
		"returned":    orDefault(a.Returned, scim.ReturnedDefault),
		"uniqueness":  orDefault(a.Uniqueness, scim.UniquenessNone),
	}
	if len(a.CanonicalValues) > 0 {
		d["canonicalValues"] = a.CanonicalValues
	}
	if len(a.ReferenceTypes) > 0 {
		d["referenceTypes"] = a.ReferenceTypes
	}
	if len(a.SubAttributes) > 0 {
		subs := make([]map[string]any, 0, len(a.SubAttributes))
		for _, sa := range a.SubAttributes {
			subs = append(subs, attributeDoc(sa))
		}
		d["subAttributes"] = subs
	}
	return d
}

func schemaDoc(sc *scim.Schema, base string) map[string]any {
	attrs := make([]map[string]any, 0, len(sc.Attributes))
	for _, a := range sc.Attributes {
		attrs = append(attrs, attributeDoc(a))
	}
	return map[string]any{
		"schemas":     []string{scim.SchemaSchema},
		"id":          sc.ID,
		"name":        sc.Name,
		"description": sc.Description,
		"attributes":  attrs,
		"meta":        map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + sc.ID},
	}
}

func (s *Server) schemas(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	docs := make([]map[string]any, 0, len(allSchemas))
	for _, sc := range allSchemas {
		docs = append(docs, schemaDoc(sc, c.base))
	}
	return writeDoc(w, listOf(docs))
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request, c scimCall) error {
	id := r.PathValue("id")
	for _, sc := range allSchemas {
		if strings.EqualFold(sc.ID, id) {
			return writeDoc(w, schemaDoc(sc, c.base))
		}
	}
	return scim.NotFound("Schema", id)
}
