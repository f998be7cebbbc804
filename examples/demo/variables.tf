variable "approved_domain" {
  description = "Email domain Wrike accepts provisioned users from."
  type        = string
  default     = "acme.example.com"
}

variable "okta_app_id" {
  description = "Id of the Wrike app instance in Okta (TF_VAR_okta_app_id in dev.env)."
  type        = string
}

variable "okta_groups" {
  description = "Okta group ids by group name (TF_VAR_okta_groups in dev.env)."
  type        = map(string)

  validation {
    condition     = alltrue([for g in ["Engineering", "Sales"] : contains(keys(var.okta_groups), g)])
    error_message = "okta_groups must contain the Engineering and Sales groups."
  }
}

variable "okta_users" {
  description = "Okta user ids by login (TF_VAR_okta_users in dev.env)."
  type        = map(string)
}

variable "external_user_login" {
  description = "Login of the Okta user assigned directly to Wrike as an External user."
  type        = string
  default     = "iris.novak@acme.example.com"
}
