terraform {
  required_providers {
    wrike = {
      source = "wrike-community/wrike"
    }
  }
}

# Every argument can come from the environment instead:
# WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL and OKTA_API_TOKEN.
provider "wrike" {
  wrike_url      = "https://www.wrike.com" # the client adds /api/v4
  wrike_token    = var.wrike_token         # a Wrike admin token
  okta_org_url   = "https://acme.okta.com" # needed only by okta_* resources
  okta_api_token = var.okta_api_token      # an Okta API token (SSWS)
}

variable "wrike_token" {
  type      = string
  sensitive = true
}

variable "okta_api_token" {
  type      = string
  sensitive = true
}
