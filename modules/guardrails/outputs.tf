output "policy_json" {
  description = "Every deny statement in one document (the managed policies' and SCPs' statements together), for review and tests."
  value       = data.aws_iam_policy_document.guardrails.json
}

output "policy_arns" {
  description = "ARNs of the managed policies <name_prefix>-sagemaker-guardrails-<concern> (network, encryption, workloads: those with a rule on), for every SageMaker execution role to attach, in that order."
  value       = [for concern in local.active_concerns : aws_iam_policy.guardrails[concern].arn]
}

output "policy_arns_by_concern" {
  description = "The same ARNs by concern (network, encryption, workloads)."
  value       = { for concern, policy in aws_iam_policy.guardrails : concern => policy.arn }
}

output "policy_names" {
  description = "Names of the managed policies, in the order of policy_arns."
  value       = [for concern in local.active_concerns : aws_iam_policy.guardrails[concern].name]
}

output "enabled_rules" {
  description = "The rules these policies enforce (names as in var.disabled_rules, plus network_isolation when required)."
  value       = local.enabled_rules
}

output "scp_ids" {
  description = "IDs of the service control policies by concern; empty when var.scp_target_ids is empty."
  value       = { for concern, policy in aws_organizations_policy.guardrails : concern => policy.id }
}

output "boundary_policy_arn" {
  description = "ARN of <name_prefix>-sagemaker-boundary: the guardrails as a permissions boundary, for the people and CI principals that may pass an execution role."
  value       = aws_iam_policy.boundary.arn
}
