resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}

resource "wrike_api_token" "okta" {
  app_name = "Okta SCIM provisioning"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}

# The type name starts with "okta_", so Terraform would look for a provider named "okta":
# `provider = wrike` is required.
resource "okta_wrike_provisioning" "wrike" {
  provider = wrike

  app_id        = var.okta_app_id
  scim_base_url = wrike_scim_integration.okta.scim_url

  # Write-only, never stored in state: sent to Okta whenever token_version changes, that is
  # whenever Wrike issues a new token (rotation, re-creation, the first apply after an import).
  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = wrike_api_token.okta.token_version

  create_users           = true
  update_user_attributes = true
  deactivate_users       = true

  # Okta group id => Wrike user type of its members (null: the SCIM integration's default).
  group_assignments = {
    (var.okta_groups["Engineering"]) = "Regular"
    (var.okta_groups["Sales"])       = "Collaborator"
  }

  # Okta user id => Wrike user type, for people assigned directly.
  user_assignments = {
    (var.okta_users["iris.novak@acme.example.com"]) = "External"
  }

  # Users Wrike refused show in every plan. By default the plan retries them, so that approving
  # their domain (a wrike_approved_domain listed in depends_on) and applying once provisions them.
  # The reference backend's partner.example.net users are refused on purpose here: accept that.
  retry_failed_provisioning = false

  # Wrike refuses users of domains it has not approved: approve them before Okta pushes users.
  depends_on = [wrike_approved_domain.acme]
}

variable "okta_app_id" {
  description = "Id of the Wrike app instance in Okta."
  type        = string
}

variable "okta_groups" {
  description = "Okta group ids by group name."
  type        = map(string)
}

variable "okta_users" {
  description = "Okta user ids by login."
  type        = map(string)
}
