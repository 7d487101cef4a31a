# The environment contract: everything a data scientist or a tool needs, in one documented place.
# The values are identifiers, not secrets, but they are encrypted all the same, with the params
# key: a reader needs ssm:GetParameter* under the prefix and kms:Decrypt on that key, which the
# key allows only through SSM. Lists are comma-separated.
locals {
  values = merge(var.parameters, { for name, values in var.string_lists : name => join(",", values) })
}

resource "aws_ssm_parameter" "this" {
  for_each = local.values

  name   = "${var.parameter_prefix}/${each.key}"
  type   = "SecureString"
  key_id = var.kms_key_arn
  value  = each.value
  tags   = var.tags
}
