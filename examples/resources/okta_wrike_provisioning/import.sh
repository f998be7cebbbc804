# Provisioning is imported by the Okta app id. The bearer token is write-only and is not read
# back: set bearer_token_wo and bearer_token_wo_version in the configuration after the import.
terraform import okta_wrike_provisioning.wrike 0oa1b2c3d4e5f6g7h8i9
