# An API app with its permanent v4 token: the bearer token Okta sends to Wrike's SCIM endpoint.
resource "wrike_api_token" "okta_scim" {
  app_name    = "Okta SCIM provisioning"
  description = "Used by Okta to provision Wrike users"

  # Change any value to regenerate the token in place; the old token stops working at once.
  rotation_triggers = {
    rotated = "2026-01"
  }
}
