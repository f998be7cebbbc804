// Package oktaapi is the vocabulary of the part of Okta's Management API
// that configures an app's SCIM provisioning, and of the reference backend's
// provisioning tasks: the JSON shapes of apps, provisioning connections,
// features, groups, users, assignments and System Log events, and the values
// their fields take. It holds no client and imports only the standard
// library, so the provider's client (internal/oktaclient) and the reference
// backend's console speak the same types without the backend linking the
// provider's transport.
package oktaapi

// Connection states Okta reports for an app's default provisioning
// connection. StatusUnknown is what Okta answers for apps whose
// provisioning its public API cannot configure (most OIN apps, Wrike
// among them).
const (
	StatusEnabled  = "ENABLED"
	StatusDisabled = "DISABLED"
	StatusUnknown  = "UNKNOWN"
)

// AuthSchemeToken is the bearer-token authentication scheme of a
// provisioning connection; the only one SCIM apps such as Wrike use.
const AuthSchemeToken = "TOKEN"

// FeatureUserProvisioning is the app feature that holds the create,
// profile update and deactivate toggles of provisioning.
const FeatureUserProvisioning = "USER_PROVISIONING"

// Assignment scopes of an app user: assigned directly or through a group.
const (
	ScopeUser  = "USER"
	ScopeGroup = "GROUP"
)

// GroupTypeBuiltIn is the type of Okta's built-in Everyone group.
const GroupTypeBuiltIn = "BUILT_IN"

// EveryoneGroupName is the name of the built-in group holding every user.
const EveryoneGroupName = "Everyone"

// App is an app instance (GET /api/v1/apps/{appId}).
type App struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Label      string `json:"label"`
	Status     string `json:"status"`
	SignOnMode string `json:"signOnMode,omitempty"`
}

// ProvisioningConnection is an app's default provisioning connection.
// Okta never returns the token.
type ProvisioningConnection struct {
	AuthScheme string                         `json:"authScheme"`
	BaseURL    string                         `json:"baseUrl,omitempty"`
	Status     string                         `json:"status"`
	Profile    *ProvisioningConnectionProfile `json:"profile,omitempty"`
}

// ProvisioningConnectionProfile carries the credentials of a connection.
type ProvisioningConnectionProfile struct {
	AuthScheme string `json:"authScheme"`
	Token      string `json:"token,omitempty"`
}

// ProvisioningConnectionRequest is the body that saves a connection.
type ProvisioningConnectionRequest struct {
	BaseURL string                        `json:"baseUrl"`
	Profile ProvisioningConnectionProfile `json:"profile"`
}

// Feature is an app feature such as USER_PROVISIONING.
type Feature struct {
	Name         string       `json:"name"`
	Status       string       `json:"status"`
	Description  string       `json:"description,omitempty"`
	Capabilities Capabilities `json:"capabilities"`
}

// Capabilities are the toggles of a feature; the body of a feature update.
type Capabilities struct {
	Create *CreateCapabilities `json:"create,omitempty"`
	Update *UpdateCapabilities `json:"update,omitempty"`
}

// CreateCapabilities holds the "Create Users" toggle.
type CreateCapabilities struct {
	LifecycleCreate *StatusSetting `json:"lifecycleCreate,omitempty"`
}

// UpdateCapabilities holds the "Update User Attributes", "Deactivate
// Users" and "Sync Password" toggles.
type UpdateCapabilities struct {
	Profile             *StatusSetting   `json:"profile,omitempty"`
	LifecycleDeactivate *StatusSetting   `json:"lifecycleDeactivate,omitempty"`
	Password            *PasswordSetting `json:"password,omitempty"`
}

// StatusSetting is one ENABLED/DISABLED toggle.
type StatusSetting struct {
	Status string `json:"status"`
}

// PasswordSetting is the password push toggle with its options.
type PasswordSetting struct {
	Status string `json:"status"`
	Seed   string `json:"seed,omitempty"`
	Change string `json:"change,omitempty"`
}

// ProvisioningToggles is the provider's view of USER_PROVISIONING: the
// three switches of Okta's "To App" settings.
type ProvisioningToggles struct {
	CreateUsers          bool
	UpdateUserAttributes bool
	DeactivateUsers      bool
}

// Toggles reads the three switches from f.
func (f *Feature) Toggles() ProvisioningToggles {
	var t ProvisioningToggles
	c := f.Capabilities
	if c.Create != nil && c.Create.LifecycleCreate != nil {
		t.CreateUsers = c.Create.LifecycleCreate.Status == StatusEnabled
	}
	if c.Update != nil {
		if c.Update.Profile != nil {
			t.UpdateUserAttributes = c.Update.Profile.Status == StatusEnabled
		}
		if c.Update.LifecycleDeactivate != nil {
			t.DeactivateUsers = c.Update.LifecycleDeactivate.Status == StatusEnabled
		}
	}
	return t
}

// Capabilities turns the switches into a USER_PROVISIONING update body.
// Password push stays disabled: Wrike users sign in through Okta.
func (t ProvisioningToggles) Capabilities() Capabilities {
	return Capabilities{
		Create: &CreateCapabilities{LifecycleCreate: &StatusSetting{Status: enabled(t.CreateUsers)}},
		Update: &UpdateCapabilities{
			Profile:             &StatusSetting{Status: enabled(t.UpdateUserAttributes)},
			LifecycleDeactivate: &StatusSetting{Status: enabled(t.DeactivateUsers)},
			Password:            &PasswordSetting{Status: StatusDisabled, Seed: "RANDOM", Change: "KEEP_EXISTING"},
		},
	}
}

func enabled(b bool) string {
	if b {
		return StatusEnabled
	}
	return StatusDisabled
}

// AssignmentProfile is the app-specific profile of an assignment; for
// Wrike it carries the user type pushed over SCIM.
type AssignmentProfile struct {
	UserType string `json:"userType,omitempty"`
}

// ApplicationGroupAssignment assigns a group to an app.
type ApplicationGroupAssignment struct {
	ID          string            `json:"id,omitempty"`
	Priority    int               `json:"priority"`
	Profile     AssignmentProfile `json:"profile"`
	LastUpdated string            `json:"lastUpdated,omitempty"`
}

// AppUser is a user assigned to an app, directly (scope USER) or
// through a group (scope GROUP).
type AppUser struct {
	ID          string             `json:"id"`
	Scope       string             `json:"scope,omitempty"`
	Status      string             `json:"status,omitempty"`
	SyncState   string             `json:"syncState,omitempty"`
	ExternalID  string             `json:"externalId,omitempty"`
	Credentials AppUserCredentials `json:"credentials"`
	Profile     AssignmentProfile  `json:"profile"`
	Created     string             `json:"created,omitempty"`
	LastUpdated string             `json:"lastUpdated,omitempty"`
}

// SyncStateError is the sync state of an app user whose last push failed.
const SyncStateError = "ERROR"

// AppUserCredentials names the user in the app: the userName Okta pushes.
type AppUserCredentials struct {
	UserName string `json:"userName,omitempty"`
}

// LogEvent is a System Log event, as far as provisioning failures need it.
type LogEvent struct {
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Outcome   struct {
		Result string `json:"result"`
		Reason string `json:"reason"`
	} `json:"outcome"`
	Target []struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
	} `json:"target"`
}

// AppUserAssignRequest assigns one user to an app directly.
type AppUserAssignRequest struct {
	ID      string            `json:"id"`
	Scope   string            `json:"scope"`
	Profile AssignmentProfile `json:"profile"`
}

// Group is an Okta group.
type Group struct {
	ID      string       `json:"id"`
	Type    string       `json:"type"`
	Profile GroupProfile `json:"profile"`
}

// User is an Okta user, as far as assignments need it.
type User struct {
	ID      string      `json:"id"`
	Status  string      `json:"status"`
	Profile UserProfile `json:"profile"`
}

// UserProfile is the part of a user's profile that names the user.
type UserProfile struct {
	Login string `json:"login"`
}

// GroupProfile is a group's name and description.
type GroupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// ProvisioningTask is a provisioning task of an app not completed yet, as
// the reference backend's tasks API lists it (Okta's admin "Tasks"):
// Status PENDING (queued or waiting to retry) or FAILED (given up until
// retried). LastError is the reason of the last failed attempt, as in the
// System Log event of that attempt.
type ProvisioningTask struct {
	ID             string `json:"id"`
	AppID          string `json:"appId"`
	UserID         string `json:"userId"`
	Login          string `json:"login"`
	Operation      string `json:"operation"`
	Status         string `json:"status"`
	Attempts       int    `json:"attempts"`
	LastError      string `json:"lastError"`
	FirstAttemptAt string `json:"firstAttemptAt"`
	LastAttemptAt  string `json:"lastAttemptAt"`
	NextAttemptAt  string `json:"nextAttemptAt,omitempty"`
}

// Provisioning task statuses.
const (
	TaskPending = "PENDING"
	TaskFailed  = "FAILED"
)
