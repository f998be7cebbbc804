# Reads the Okta integration without managing it, for instance to hand its SCIM URL to
# another configuration.
data "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}

output "okta_scim_url" {
  value = data.wrike_scim_integration.okta.scim_url
}
