# A team's Wrike provisioning, as it would sit in its infrastructure repository: the Okta ids are
# the org's own (here those of org.json, which `wrike-backend --dev --okta-seed org.json` seeds),
# so the same files run against the real services and, in CI, against the reference backend.
terraform {
  required_version = ">= 1.11"

  required_providers {
    wrike = {
      source = "wrike-community/wrike"
    }
  }
}

# WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL and OKTA_API_TOKEN come from the environment
# (in CI: the dev.env the backend writes).
provider "wrike" {}

locals {
  wrike_app_id = "0oa9wrikeapp0000x697"
  groups = {
    design  = "00g1designers0000x697"
    support = "00g1support00000x697"
  }
  auditor = "00u1paul0000000x697"
}

resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}

resource "wrike_api_token" "okta" {
  app_name = "Okta SCIM provisioning"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
  enabled           = true
  default_user_type = "Regular"
}

resource "okta_wrike_provisioning" "wrike" {
  provider = wrike

  app_id        = local.wrike_app_id
  scim_base_url = wrike_scim_integration.okta.scim_url

  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = wrike_api_token.okta.token_version

  group_assignments = {
    (local.groups.design)  = "Regular"
    (local.groups.support) = "Collaborator"
  }
  user_assignments = {
    (local.auditor) = "External"
  }

  # The apply waits for Okta's pushes, so the data sources below read their outcome.
  wait_for_provisioning = {
    timeout = "5m"
  }

  depends_on = [wrike_approved_domain.acme]
}

data "wrike_users" "provisioned" {
  depends_on = [okta_wrike_provisioning.wrike]
}

data "wrike_account" "this" {
  depends_on = [okta_wrike_provisioning.wrike]
}

output "user_types" {
  description = "Wrike user type by user name, of everyone provisioned."
  value       = { for u in data.wrike_users.provisioned.users : u.user_name => u.user_type }
}

output "billable_seats" {
  description = "Seats Wrike bills: active members provisioned over SCIM."
  value       = data.wrike_account.this.billable_seats
}
