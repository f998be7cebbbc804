# Turns on Wrike's SCIM endpoint for Okta. Users provisioned without a user type become Regular.
resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
  enabled           = true
  default_user_type = "Regular"
}

output "scim_url" {
  description = "The SCIM base URL to give Okta."
  value       = wrike_scim_integration.okta.scim_url
}
