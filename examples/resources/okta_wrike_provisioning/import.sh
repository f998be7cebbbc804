# Provisioning is imported by the Okta app id. Okta never returns the bearer token, so the first
# apply after the import sends it again (bearer_token_wo_version goes from null to the version).
terraform import okta_wrike_provisioning.wrike 0oa1b2c3d4e5f6g7h8i9
