// Package scim implements the SCIM 2.0 protocol (RFC 7643, RFC 7644) as the
// Wrike face's SCIM service provider speaks it: schemas and their discovery
// documents, generic resources and their normalisation, the filter grammar,
// PATCH paths and operations, projection, list queries and SCIM errors. It has
// no HTTP routing and no storage.
//
// Resources are generic: map[string]any as encoding/json decodes them with
// UseNumber (strings, bool, json.Number, map[string]any, []any). The canonical
// form, which Normalize, ApplyPatch and MergeReplace produce and Filter.Match
// and Projection expect, has attribute names in their schema spelling,
// extension attributes in an object under the extension URN, values of the
// schema's types, no null or empty values, and "schemas" listing the core
// schema and each extension present. A server stores canonical resources,
// adds "id" and "meta" itself, and projects them on the way out.
//
// The pieces a server uses, in request order:
//
//   - ReadBody (size limit, 413), DecodeObject / DecodePatchRequest (400 invalidSyntax
//     with the position of malformed JSON).
//   - Normalize for POST; MergeReplace for PUT (attributes the request leaves out are
//     kept, the product's rule); ApplyPatch for PATCH.
//   - ParseQuery / ParseSearchRequest for GET and POST .search: a bound Filter
//     (Filter.Match, and Filter.Equality to answer userName/externalId/id/emails.value
//     equality from an index), paging within QueryOptions.MaxCount (Query.Window),
//     sortBy (Query.Compare), a Projection (attributes / excludedAttributes).
//   - WriteError (application/scim+json; an error that is not an *Error becomes a
//     500 with a generic detail).
//   - SchemasList, ResourceTypesList, ServiceProviderConfig for discovery.
//
// Schemas: UserSchema (RFC 7643 §4.1, complete), EnterpriseUserSchema (§4.3),
// WrikeUserSchema (urn:ietf:params:scim:schemas:extension:wrike:2.0:User with
// userType Regular, External or Collaborator, enforced and canonicalised),
// GroupSchema; UserResourceType carries both extensions. The Okta face's SCIM
// client takes only the schema URNs and ContentType from here: it builds its own
// request bodies and reads error bodies itself.
//
// Choices where the RFCs leave room: unknown attributes in a resource or in a
// pathless PATCH value are ignored (identity providers send attributes an
// administrator mapped); an unknown attribute in a filter, a PATCH path or
// attributes/excludedAttributes is an error (invalidFilter, invalidPath,
// invalidValue); wrong value types are invalidValue; too many PATCH operations
// is invalidValue; "" is treated like null (unassigned). Every error is an
// *Error with a non-empty Detail.
package scim
