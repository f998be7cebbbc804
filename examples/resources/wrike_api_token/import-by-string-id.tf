import {
  to = wrike_api_token.okta_scim
  id = "IEAAAAAQKQAAAAAB"
}
