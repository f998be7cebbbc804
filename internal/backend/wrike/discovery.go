package wrike

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// The discovery endpoints (RFC 7644 §4) describe exactly this server, so
// that a client doing only what they promise never meets a 501: PATCH,
// ETags, filters (a page of at most maxPageSize) and sorting yes; bulk and
// password changes no; bearer-token authentication. The one resource type
// is User: Wrike does not sync groups, so Group is not offered (GET /Groups
// still answers an empty list, for the identity providers that ask).

var resourceTypes = []*scim.ResourceType{scim.UserResourceType}

var allSchemas = []*scim.Schema{scim.UserSchema, scim.EnterpriseUserSchema, scim.WrikeUserSchema}

func writeDoc(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeSCIM(w, http.StatusOK, b)
	return nil
}

func (s *Server) serviceProviderConfig(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	return writeDoc(w, scim.ServiceProviderConfig(c.base, scim.ServiceProviderOptions{
		DocumentationURI: "https://github.com/wrike-community/terraform-provider-wrike#run-the-reference-backend",
		Patch:            true,
		Filter:           true,
		MaxResults:       maxPageSize,
		ETag:             true,
		Sort:             true,
	}))
}

func (s *Server) resourceTypes(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	return writeDoc(w, scim.ResourceTypesList(c.base, resourceTypes...))
}

func (s *Server) resourceType(w http.ResponseWriter, r *http.Request, c scimCall) error {
	id := r.PathValue("id")
	for _, rt := range resourceTypes {
		if strings.EqualFold(rt.ID, id) {
			return writeDoc(w, scim.ResourceTypeRepresentation(rt, c.base))
		}
	}
	return scim.NotFound("ResourceType", id)
}

func (s *Server) schemas(w http.ResponseWriter, _ *http.Request, c scimCall) error {
	return writeDoc(w, scim.SchemasList(c.base, resourceTypes...))
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request, c scimCall) error {
	id := r.PathValue("id")
	for _, sc := range allSchemas {
		if strings.EqualFold(sc.ID, id) {
			return writeDoc(w, scim.SchemaRepresentation(sc, c.base))
		}
	}
	return scim.NotFound("Schema", id)
}
