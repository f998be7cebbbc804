# A SCIM integration is imported by its identity provider: okta, azure_ad or onelogin.
terraform import wrike_scim_integration.okta okta
