import {
  to = wrike_approved_domain.acme
  id = "acme.example.com"
}
