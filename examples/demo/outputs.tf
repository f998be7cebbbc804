output "users" {
  description = "Users in Wrike, by user name: name, title, department, user type and status, as Okta synced them."
  value = {
    for u in data.wrike_users.provisioned.users : u.user_name => format("%s %s, %s, %s, %s, %s",
    u.first_name, u.last_name, u.title, u.department, u.user_type, u.active ? "active" : "inactive")
  }
}

output "billable_seats" {
  description = "Active members provisioned through SCIM."
  value       = data.wrike_account.this.billable_seats
}

output "scim_url" {
  description = "The SCIM base URL Okta pushes users to."
  value       = wrike_scim_integration.okta.scim_url
}
