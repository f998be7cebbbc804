package scim

import (
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

// Schema and message URNs (RFC 7643 §8.7, RFC 7644 §3).
const (
	SchemaUser                  = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup                 = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterpriseUser        = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaWrikeUser             = "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"
	SchemaServiceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	SchemaResourceType          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	SchemaListResponse          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaSearchRequest         = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	SchemaPatchOp               = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError                 = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// Type is an attribute's data type (RFC 7643 §2.3).
type Type string

const (
	TypeString    Type = "string"
	TypeBoolean   Type = "boolean"
	TypeDecimal   Type = "decimal"
	TypeInteger   Type = "integer"
	TypeDateTime  Type = "dateTime"
	TypeBinary    Type = "binary"
	TypeReference Type = "reference"
	TypeComplex   Type = "complex"
)

// Mutability says whether and when a client may write an attribute (RFC 7643 §7).
type Mutability string

const (
	ReadWrite Mutability = "readWrite"
	ReadOnly  Mutability = "readOnly"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute appears in a response (RFC 7643 §7).
type Returned string

const (
	ReturnedDefault Returned = "default"
	ReturnedAlways  Returned = "always"
	ReturnedNever   Returned = "never"
	ReturnedRequest Returned = "request"
)

// Uniqueness is an attribute's uniqueness rule (RFC 7643 §7).
type Uniqueness string

const (
	UniquenessNone   Uniqueness = "none"
	UniquenessServer Uniqueness = "server"
	UniquenessGlobal Uniqueness = "global"
)

// Attribute defines one attribute or sub-attribute of a schema. Empty
// Mutability, Returned and Uniqueness mean readWrite, default and none.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	CanonicalValues []string
	// CanonicalOnly makes CanonicalValues binding: other values are rejected and
	// accepted values take the canonical spelling. RFC 7643 lets servers accept
	// values outside canonicalValues (emails.type "work2"), so it is off by default.
	CanonicalOnly  bool
	ReferenceTypes []string
	SubAttributes  []*Attribute
	// Key, when set, is the form eq and ne compare values in, instead of
	// caseExact (userName and emails.value: canonical email addresses, so
	// that a look-alike never equals the address it imitates).
	Key func(string) string

	subByLower map[string]*Attribute
}

// SubAttribute returns the sub-attribute with the given name (case-insensitive).
func (a *Attribute) SubAttribute(name string) *Attribute {
	if a == nil {
		return nil
	}
	if a.subByLower != nil {
		if s, ok := a.subByLower[name]; ok {
			return s
		}
	}
	for _, s := range a.SubAttributes {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

func (a *Attribute) mutability() Mutability {
	if a.Mutability == "" {
		return ReadWrite
	}
	return a.Mutability
}

func (a *Attribute) returned() Returned {
	if a.Returned == "" {
		return ReturnedDefault
	}
	return a.Returned
}

// Schema is a SCIM schema: a URN and its attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute

	byLower map[string]*Attribute
}

// Attribute returns the top-level attribute with the given name (case-insensitive).
func (s *Schema) Attribute(name string) *Attribute {
	if s == nil {
		return nil
	}
	if a, ok := s.byLower[name]; ok {
		return a
	}
	for _, a := range s.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// SchemaExtension is an extension schema of a resource type.
type SchemaExtension struct {
	Schema   *Schema
	Required bool
}

// ResourceType binds a core schema and its extensions (RFC 7643 §6). Attributes
// of extensions live in the resource under the extension's URN; the common
// attributes id, externalId and meta (RFC 7643 §3.1) belong to every type.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Schema      *Schema
	Extensions  []SchemaExtension
}

// Extension returns the extension schema with the given URN (case-insensitive).
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, urn) {
			return e.Schema
		}
	}
	return nil
}

// coreAttribute looks an attribute up in the core schema, then in the common attributes.
func (rt *ResourceType) coreAttribute(name string) *Attribute {
	if a := rt.Schema.Attribute(name); a != nil {
		return a
	}
	return commonSchema.Attribute(name)
}

// CommonAttributes are id, externalId and meta (RFC 7643 §3.1), and
// "schemas", described here so that filters and attributes can name it.
var CommonAttributes = []*Attribute{
	{Name: "schemas", Type: TypeReference, MultiValued: true, Mutability: ReadOnly, Returned: ReturnedAlways, ReferenceTypes: []string{"uri"},
		Description: "The schemas of the resource."},
	{Name: "id", Type: TypeString, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: UniquenessServer,
		Description: "Unique identifier for the SCIM resource as defined by the service provider."},
	{Name: "externalId", Type: TypeString, CaseExact: true,
		Description: "Identifier for the resource as defined by the provisioning client."},
	{Name: "meta", Type: TypeComplex, Mutability: ReadOnly, Description: "Resource metadata.", SubAttributes: []*Attribute{
		{Name: "resourceType", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
		{Name: "created", Type: TypeDateTime, Mutability: ReadOnly},
		{Name: "lastModified", Type: TypeDateTime, Mutability: ReadOnly},
		{Name: "location", Type: TypeReference, CaseExact: true, Mutability: ReadOnly, ReferenceTypes: []string{"uri"}},
		{Name: "version", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
	}},
}

var commonSchema = newSchema(&Schema{ID: "common", Attributes: CommonAttributes})

// newSchema fills the lowercase lookup tables so that lookups of names already in
// lower case, the usual spelling of filters and paths in the field, are one map hit.
func newSchema(s *Schema) *Schema {
	s.byLower = make(map[string]*Attribute, len(s.Attributes))
	for _, a := range s.Attributes {
		indexAttribute(a)
		s.byLower[strings.ToLower(a.Name)] = a
		s.byLower[a.Name] = a
	}
	return s
}

func indexAttribute(a *Attribute) {
	if len(a.SubAttributes) == 0 {
		return
	}
	a.subByLower = make(map[string]*Attribute, len(a.SubAttributes))
	for _, s := range a.SubAttributes {
		indexAttribute(s)
		a.subByLower[strings.ToLower(s.Name)] = s
		a.subByLower[s.Name] = s
	}
}

func str(name, desc string) *Attribute {
	return &Attribute{Name: name, Type: TypeString, Description: desc}
}

func typeAttr(canonical ...string) *Attribute {
	return &Attribute{Name: "type", Type: TypeString, CanonicalValues: canonical,
		Description: "A label indicating the attribute's function."}
}

func primaryAttr() *Attribute {
	return &Attribute{Name: "primary", Type: TypeBoolean,
		Description: "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."}
}

// multiValue builds the usual value/display/type/primary multi-valued complex attribute.
func multiValue(name, desc string, valueType Type, canonical []string) *Attribute {
	subs := []*Attribute{
		{Name: "value", Type: valueType, Description: "The value of the attribute."},
		{Name: "display", Type: TypeString, Description: "A human-readable name, primarily used for display purposes."},
		typeAttr(canonical...),
		primaryAttr(),
	}
	return &Attribute{Name: name, Type: TypeComplex, MultiValued: true, Description: desc, SubAttributes: subs}
}

// addressKeyed makes a multi-valued attribute's values compare as canonical
// email addresses.
func addressKeyed(a *Attribute) *Attribute {
	a.SubAttribute("value").Key = mailaddr.Key
	return a
}

// UserSchema is the core User schema, RFC 7643 §4.1 and §8.7.1, complete.
var UserSchema = newSchema(&Schema{
	ID: SchemaUser, Name: "User", Description: "User Account",
	Attributes: []*Attribute{
		{Name: "userName", Type: TypeString, Required: true, Uniqueness: UniquenessServer, Key: mailaddr.Key,
			Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Compared case-insensitively, as a canonical email address."},
		{Name: "name", Type: TypeComplex, Description: "The components of the user's real name.", SubAttributes: []*Attribute{
			str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
			str("familyName", "The family name of the User, or last name."),
			str("givenName", "The given name of the User, or first name."),
			str("middleName", "The middle name(s) of the User."),
			str("honorificPrefix", "The honorific prefix(es) of the User, or title."),
			str("honorificSuffix", "The honorific suffix(es) of the User."),
		}},
		str("displayName", "The name of the User, suitable for display to end-users."),
		str("nickName", "The casual way to address the user in real life."),
		{Name: "profileUrl", Type: TypeReference, ReferenceTypes: []string{"external"}, Description: "A fully qualified URL pointing to a page representing the User's online profile."},
		str("title", "The user's title, such as \"Vice President\"."),
		str("userType", "Used to identify the relationship between the organization and the user."),
		str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
		str("locale", "Used to indicate the User's default location for purposes of localizing items."),
		str("timezone", "The User's time zone in the 'Olson' time zone database format."),
		{Name: "active", Type: TypeBoolean, Description: "A Boolean value indicating the User's administrative status."},
		{Name: "password", Type: TypeString, CaseExact: true, Mutability: WriteOnly, Returned: ReturnedNever,
			Description: "The User's cleartext password. Never returned."},
		addressKeyed(multiValue("emails", "Email addresses for the user.", TypeString, []string{"work", "home", "other"})),
		multiValue("phoneNumbers", "Phone numbers for the User.", TypeString, []string{"work", "home", "mobile", "fax", "pager", "other"}),
		multiValue("ims", "Instant messaging addresses for the User.", TypeString, []string{"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}),
		multiValue("photos", "URLs of photos of the User.", TypeReference, []string{"photo", "thumbnail"}),
		{Name: "addresses", Type: TypeComplex, MultiValued: true, Description: "A physical mailing address for this User.", SubAttributes: []*Attribute{
			str("formatted", "The full mailing address, formatted for display or use with a mailing label."),
			str("streetAddress", "The full street address component."),
			str("locality", "The city or locality component."),
			str("region", "The state or region component."),
			str("postalCode", "The zip code or postal code component."),
			str("country", "The country name component."),
			typeAttr("work", "home", "other"),
			primaryAttr(),
		}},
		{Name: "groups", Type: TypeComplex, MultiValued: true, Mutability: ReadOnly,
			Description: "A list of groups to which the user belongs, either through direct membership or through nested groups.",
			SubAttributes: []*Attribute{
				{Name: "value", Type: TypeString, Mutability: ReadOnly, Description: "The identifier of the User's group."},
				{Name: "$ref", Type: TypeReference, Mutability: ReadOnly, ReferenceTypes: []string{"User", "Group"}, Description: "The URI of the corresponding 'Group' resource."},
				{Name: "display", Type: TypeString, Mutability: ReadOnly, Description: "A human-readable name."},
				{Name: "type", Type: TypeString, Mutability: ReadOnly, CanonicalValues: []string{"direct", "indirect"}, Description: "direct or indirect membership."},
			}},
		multiValue("entitlements", "A list of entitlements for the User.", TypeString, nil),
		multiValue("roles", "A list of roles for the User.", TypeString, nil),
		multiValue("x509Certificates", "A list of certificates issued to the User.", TypeBinary, nil),
	},
})

// EnterpriseUserSchema is the enterprise User extension, RFC 7643 §4.3.
var EnterpriseUserSchema = newSchema(&Schema{
	ID: SchemaEnterpriseUser, Name: "EnterpriseUser", Description: "Enterprise User",
	Attributes: []*Attribute{
		str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
		str("costCenter", "Identifies the name of a cost center."),
		str("organization", "Identifies the name of an organization."),
		str("division", "Identifies the name of a division."),
		str("department", "Identifies the name of a department."),
		{Name: "manager", Type: TypeComplex, Description: "The User's manager.", SubAttributes: []*Attribute{
			{Name: "value", Type: TypeString, Description: "The id of the SCIM resource representing the User's manager."},
			{Name: "$ref", Type: TypeReference, ReferenceTypes: []string{"User"}, Description: "The URI of the SCIM resource representing the User's manager."},
			{Name: "displayName", Type: TypeString, Mutability: ReadOnly, Description: "The displayName of the User's manager."},
		}},
	},
})

// User types of the Wrike extension.
const (
	UserTypeRegular      = "Regular"
	UserTypeExternal     = "External"
	UserTypeCollaborator = "Collaborator"
)

// WrikeUserSchema is the Wrike User extension carrying the Wrike user type.
var WrikeUserSchema = newSchema(&Schema{
	ID: SchemaWrikeUser, Name: "WrikeUser", Description: "Wrike User",
	Attributes: []*Attribute{
		{Name: "userType", Type: TypeString, CanonicalValues: []string{UserTypeRegular, UserTypeExternal, UserTypeCollaborator}, CanonicalOnly: true,
			Description: "The kind of Wrike license the user holds: Regular, External or Collaborator."},
	},
})

// GroupSchema is the core Group schema, RFC 7643 §4.2.
var GroupSchema = newSchema(&Schema{
	ID: SchemaGroup, Name: "Group", Description: "Group",
	Attributes: []*Attribute{
		{Name: "displayName", Type: TypeString, Required: true, Description: "A human-readable name for the Group."},
		{Name: "members", Type: TypeComplex, MultiValued: true, Description: "A list of members of the Group.", SubAttributes: []*Attribute{
			{Name: "value", Type: TypeString, Mutability: Immutable, Description: "Identifier of the member of this Group."},
			{Name: "$ref", Type: TypeReference, Mutability: Immutable, ReferenceTypes: []string{"User", "Group"}, Description: "The URI corresponding to a SCIM resource that is a member of this Group."},
			{Name: "display", Type: TypeString, Description: "A human-readable name of the member."},
			{Name: "type", Type: TypeString, Mutability: Immutable, CanonicalValues: []string{"User", "Group"}, Description: "A label indicating the type of resource."},
		}},
	},
})

// UserResourceType is User with the enterprise and Wrike extensions.
var UserResourceType = &ResourceType{
	ID: "User", Name: "User", Endpoint: "/Users", Description: "User Account",
	Schema: UserSchema,
	Extensions: []SchemaExtension{
		{Schema: EnterpriseUserSchema},
		{Schema: WrikeUserSchema},
	},
}

// GroupResourceType is Group without extensions.
var GroupResourceType = &ResourceType{
	ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Group",
	Schema: GroupSchema,
}
