data "wrike_account" "this" {}

output "billable_seats" {
  description = "Active members provisioned through SCIM: the seats Wrike bills."
  value       = data.wrike_account.this.billable_seats
}
