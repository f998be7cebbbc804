import {
  to = wrike_scim_integration.okta
  identity = {
    identity_provider = "okta" # or azure_ad, onelogin
  }
}
