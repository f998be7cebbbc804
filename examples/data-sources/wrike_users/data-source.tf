# Active users provisioned into Wrike from the acme.example.com domain.
data "wrike_users" "acme" {
  domain = "acme.example.com"
  active = true
}

output "acme_users" {
  value = { for u in data.wrike_users.acme.users : u.user_name => u.user_type }
}

# Every collaborator, active or not.
data "wrike_users" "collaborators" {
  user_type = "Collaborator"
}
