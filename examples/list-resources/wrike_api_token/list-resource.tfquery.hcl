# The API app Okta's Wrike app uses, by the name it was given in Wrike. Without config, every
# API app of the account is listed: importing one regenerates its token.
list "wrike_api_token" "okta" {
  provider = wrike

  config {
    app_name = "Okta SCIM provisioning"
  }
}
