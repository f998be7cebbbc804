# terraform test against wrike-backend --dev --okta-seed org.json: the apply provisions the org's
# people into the reference backend's Wrike, and the assertions read what Wrike holds.

run "provisioning" {
  command = apply

  assert {
    condition     = output.user_types["mara.holt@acme.example.com"] == "Regular" && output.user_types["nils.ek@acme.example.com"] == "Regular"
    error_message = "The Design group should be provisioned as Regular users: ${jsonencode(output.user_types)}"
  }

  assert {
    condition     = output.user_types["olga.ruiz@acme.example.com"] == "Collaborator"
    error_message = "The Support group should be provisioned as Collaborators: ${jsonencode(output.user_types)}"
  }

  assert {
    condition     = output.user_types["paul.finch@acme.example.com"] == "External"
    error_message = "The auditor, assigned directly, should be an External user: ${jsonencode(output.user_types)}"
  }

  # contractor.example.org is not an approved domain: Wrike refuses Tess, the apply warns about
  # it with Okta's reason, and she is not in Wrike.
  assert {
    condition     = !contains(keys(output.user_types), "tess.vo@contractor.example.org")
    error_message = "Wrike should refuse tess.vo@contractor.example.org (contractor.example.org is not approved)."
  }

  # Collaborators and External users are billed too in this backend's account: every
  # provisioned, active member takes a seat.
  assert {
    condition     = output.billable_seats == length(output.user_types)
    error_message = "Every provisioned person should take a seat: ${output.billable_seats} seats for ${length(output.user_types)} users."
  }
}
