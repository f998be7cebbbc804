import {
  to = wrike_approved_domain.acme
  identity = {
    # The domain in any spelling (letter case, U-labels); the identity recorded is the form
    # Wrike stores: A-labels, lower case.
    domain = "acme.example.com"
  }
}
