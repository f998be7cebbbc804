# The Okta org's Wrike apps whose provisioning is set up. As for the resource, provider = wrike
# is required: the type name starts with "okta_".
list "okta_wrike_provisioning" "wrike" {
  provider = wrike

  # Show the toggles and assignments found, not only the app ids.
  include_resource = true
}
