# Importing the app regenerates its token on the next apply, as an import by string id does.
import {
  to = wrike_api_token.okta_scim
  identity = {
    id = var.api_app_id # the API app's id
  }
}

variable "api_app_id" {
  description = "Id of the existing API app, such as IEAAAAAQKQAAAAAB (GET /api/v4/api_apps lists them)."
  type        = string
}
