import {
  to = wrike_scim_integration.okta
  id = "okta"
}
