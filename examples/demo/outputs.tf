output "users" {
  description = "Users in Wrike with the attributes Okta synced."
  value = {
    for u in data.wrike_users.provisioned.users : u.user_name => {
      name         = "${u.first_name} ${u.last_name}"
      email        = u.email
      title        = u.title
      phone        = u.phone
      organization = u.organization
      department   = u.department
      user_type    = u.user_type
      active       = u.active
      billable     = u.billable
    }
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
