// Package wrikeapi is the vocabulary of the Wrike admin API (/api/v4): the
// JSON shapes of its objects and request bodies, and the values its fields
// take. It holds no client and imports only the standard library, so the
// provider's client (internal/wrikeclient) and the reference backend's
// console speak the same types without the backend linking the provider's
// transport.
package wrikeapi

// ApprovedDomain is an email domain whose users may be provisioned.
type ApprovedDomain struct {
	ID            string `json:"id"`
	Domain        string `json:"domain"`        // canonical: A-labels, lower case
	UnicodeDomain string `json:"unicodeDomain"` // the same domain as people read it
	CreatedDate   string `json:"createdDate"`
}

// DisplayDomain is the domain as people read it: unicodeDomain, or domain
// when Wrike sent none.
func (d ApprovedDomain) DisplayDomain() string {
	if d.UnicodeDomain != "" {
		return d.UnicodeDomain
	}
	return d.Domain
}

// APIApp is a Wrike API app and its v4 token. Token is set only in the
// answers to creating an app and regenerating its token: Wrike shows it once.
type APIApp struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	CreatedDate      string `json:"createdDate"`
	TokenCreatedDate string `json:"tokenCreatedDate"`
	Token            string `json:"token,omitempty"`
}

// APIAppInput creates an API app.
type APIAppInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// APIAppUpdate changes the fields that are set.
type APIAppUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// Identity providers a SCIM integration exists for.
const (
	IdentityProviderOkta     = "okta"
	IdentityProviderAzureAD  = "azure_ad"
	IdentityProviderOneLogin = "onelogin"
)

// IdentityProviders lists every identity provider Wrike has an integration for.
var IdentityProviders = []string{IdentityProviderOkta, IdentityProviderAzureAD, IdentityProviderOneLogin}

// User types Wrike knows.
const (
	UserTypeRegular      = "Regular"
	UserTypeExternal     = "External"
	UserTypeCollaborator = "Collaborator"
)

// UserTypes lists every Wrike user type.
var UserTypes = []string{UserTypeRegular, UserTypeExternal, UserTypeCollaborator}

// SCIMIntegration is Wrike's SCIM endpoint for one identity provider.
type SCIMIntegration struct {
	ID               string `json:"id"`
	IdentityProvider string `json:"identityProvider"`
	Enabled          bool   `json:"enabled"`
	DefaultUserType  string `json:"defaultUserType"`
	SCIMURL          string `json:"scimUrl"`
	UpdatedDate      string `json:"updatedDate"`
}

// SCIMIntegrationUpdate changes the fields that are set.
type SCIMIntegrationUpdate struct {
	Enabled         *bool   `json:"enabled,omitempty"`
	DefaultUserType *string `json:"defaultUserType,omitempty"`
}

// Account is the Wrike account and its seat counts.
type Account struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	BillableSeats      int64  `json:"billableSeats"`
	ActiveMembers      int64  `json:"activeMembers"`
	DeactivatedMembers int64  `json:"deactivatedMembers"`
}

// User is a member provisioned into Wrike with its synced attributes.
type User struct {
	ID               string `json:"id"`
	UserName         string `json:"userName"`
	ExternalID       string `json:"externalId"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	Title            string `json:"title"`
	Phone            string `json:"phone"`
	Organization     string `json:"organization"`
	Department       string `json:"department"`
	UserType         string `json:"userType"`
	Active           bool   `json:"active"`
	Billable         bool   `json:"billable"`
	IdentityProvider string `json:"identityProvider"`
	CreatedDate      string `json:"createdDate"`
	UpdatedDate      string `json:"updatedDate"`
}
