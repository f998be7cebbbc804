# An approved domain is imported by its domain name (any spelling; state gets the
# canonical form, such as acme.example.com or xn--bcher-kva.example) or by its Wrike id.
terraform import wrike_approved_domain.acme acme.example.com
