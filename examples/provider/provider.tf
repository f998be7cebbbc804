terraform {
  required_providers {
    wrike = {
      source = "wrike-community/wrike"
    }
  }
}

# Every argument falls back to an environment variable: WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL and
# OKTA_API_TOKEN. A value set here wins over the environment; these variables default to null, so
# the environment applies unless you set them (for example in a .tfvars file).
provider "wrike" {
  wrike_url      = var.wrike_url      # such as https://www.wrike.com; the client adds /api/v4
  wrike_token    = var.wrike_token    # a Wrike admin token
  okta_org_url   = var.okta_org_url   # such as https://acme.okta.com; needed only by okta_* resources
  okta_api_token = var.okta_api_token # an Okta API token (SSWS)
}

variable "wrike_url" {
  type    = string
  default = null
}

variable "wrike_token" {
  type      = string
  sensitive = true
  default   = null
}

variable "okta_org_url" {
  type    = string
  default = null
}

variable "okta_api_token" {
  type      = string
  sensitive = true
  default   = null
}
