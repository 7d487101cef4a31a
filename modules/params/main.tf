# The environment contract: everything a data scientist or a tool needs, in one documented place.
# These are identifiers (ids, names, ARNs), not secrets: plain String parameters, readable by
# anyone in the account allowed ssm:GetParameter* under the prefix.

resource "aws_ssm_parameter" "value" {
  # checkov:skip=CKV2_AWS_34: identifiers published for discovery, not secrets; SecureString would make every reader need kms:Decrypt
  for_each = var.parameters

  name  = "${var.parameter_prefix}/${each.key}"
  type  = "String"
  value = each.value
}

resource "aws_ssm_parameter" "list" {
  # checkov:skip=CKV2_AWS_34: identifiers published for discovery, not secrets; SecureString would make every reader need kms:Decrypt
  for_each = var.string_lists

  name  = "${var.parameter_prefix}/${each.key}"
  type  = "StringList"
  value = join(",", each.value)
}
