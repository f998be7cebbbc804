data "wrike_approved_domains" "all" {}

output "approved_domains" {
  description = "Each approved domain as people read it, with the form Wrike compares."
  value       = { for d in data.wrike_approved_domains.all.approved_domains : d.unicode_domain => d.domain }
}
