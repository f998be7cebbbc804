# The SCIM integrations enabled in Wrike (one per identity provider at most).
list "wrike_scim_integration" "enabled" {
  provider = wrike
}
