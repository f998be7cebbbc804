# An API token is imported by its API app id. Wrike shows a token only once, so after an
# import `token` is null until the next rotation.
terraform import wrike_api_token.okta_scim IEAAAAAQKQAAAAAB
