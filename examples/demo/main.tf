# The seed's whole manual setup as one configuration: approve the domain in Wrike, create the
# API app and its token, turn on the SCIM integration, then configure provisioning on the Wrike
# app in Okta and assign groups and one person.
terraform {
  required_version = ">= 1.11"

  required_providers {
    wrike = {
      source = "wrike-community/wrike"
    }
  }
}

# Configured from the environment: WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL, OKTA_API_TOKEN
# (`wrike-backend --dev` writes them to <data-dir>/dev.env).
provider "wrike" {}

resource "wrike_approved_domain" "acme" {
  domain = var.approved_domain
}

resource "wrike_api_token" "okta" {
  app_name    = "Okta SCIM provisioning"
  description = "Bearer token Okta uses for Wrike's SCIM endpoint"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
  enabled           = true
  default_user_type = "Regular"
}

# The name starts with "okta_", so without `provider = wrike` Terraform would look for a
# provider named "okta".
resource "okta_wrike_provisioning" "wrike" {
  provider = wrike

  app_id        = var.okta_app_id
  scim_base_url = wrike_scim_integration.okta.scim_url

  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = wrike_api_token.okta.token_version

  create_users           = true
  update_user_attributes = true
  deactivate_users       = true

  group_assignments = {
    (var.okta_groups["Engineering"]) = "Regular"
    (var.okta_groups["Sales"])       = "Collaborator"
  }

  user_assignments = {
    (var.okta_users[var.external_user_login]) = "External"
  }

  # Wait until Okta has pushed the assigned users, and show each user Wrike refused (the
  # partner.example.net users: that domain is not approved) as a warning with Okta's reason.
  wait_for_provisioning = {
    timeout = "5m"
  }

  # Every plan names the refused users too. By default the plan retries them, so approving
  # partner.example.net (a wrike_approved_domain listed in depends_on) and applying once
  # provisions them; this demo keeps them refused, so it accepts the refusal.
  retry_failed_provisioning = false

  depends_on = [wrike_approved_domain.acme]
}

# Read once Okta has pushed the assigned users (wait_for_provisioning above).
data "wrike_users" "provisioned" {
  depends_on = [okta_wrike_provisioning.wrike]
}

data "wrike_account" "this" {
  depends_on = [okta_wrike_provisioning.wrike]
}
