import {
  provider = wrike
  to       = okta_wrike_provisioning.wrike
  identity = {
    app_id = var.okta_app_id # such as 0oa1b2c3d4e5f6g7h8i9
  }
}
