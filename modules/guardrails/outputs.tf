output "policy_json" {
  description = "The rendered deny document: the managed policy's and, with var.scp_target_ids, the SCP's content."
  value       = data.aws_iam_policy_document.guardrails.json
}

output "policy_arn" {
  description = "ARN of the managed policy <name_prefix>-sagemaker-guardrails, for every SageMaker execution role to attach."
  value       = aws_iam_policy.guardrails.arn
}

output "policy_name" {
  description = "Name of the managed policy."
  value       = aws_iam_policy.guardrails.name
}

output "enabled_rules" {
  description = "The rules this policy enforces (names as in var.disabled_rules, plus network_isolation when required)."
  value       = local.enabled_rules
}

output "scp_id" {
  description = "ID of the service control policy, or null when var.scp_target_ids is empty."
  value       = one(aws_organizations_policy.guardrails[*].id)
}
