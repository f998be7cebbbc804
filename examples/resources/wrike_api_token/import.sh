# An API token is imported by its API app id. Wrike shows a token only once, so Terraform does
# not know the token after an import: the next apply regenerates it (the plan warns), and
# whatever uses token and token_version gets the new one in the same apply.
terraform import wrike_api_token.okta_scim IEAAAAAQKQAAAAAB
