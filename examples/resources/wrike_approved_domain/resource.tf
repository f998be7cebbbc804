# Wrike provisions a user over SCIM only when the user's email domain is approved.
resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}
