# An approved domain is imported by its domain name or by its Wrike id.
terraform import wrike_approved_domain.acme acme.example.com
