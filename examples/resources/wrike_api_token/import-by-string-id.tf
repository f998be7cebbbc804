import {
  to = wrike_api_token.okta_scim
  id = var.api_app_id
}

variable "api_app_id" {
  description = "Id of the existing API app, such as IEAAAAAQKQAAAAAB (GET /api/v4/api_apps lists them)."
  type        = string
}
