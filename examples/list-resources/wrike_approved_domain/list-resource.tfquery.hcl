# Every approved domain of the Wrike account.
list "wrike_approved_domain" "all" {
  provider = wrike
}
