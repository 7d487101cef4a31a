output "notebook_names" {
  description = "Notebook instance name by team."
  value       = { for team, nb in aws_sagemaker_notebook_instance.team : team => nb.name }
}

output "notebook_urls" {
  description = "Notebook URL by team (reached through the notebook interface endpoint)."
  value       = { for team, nb in aws_sagemaker_notebook_instance.team : team => nb.url }
}

output "execution_role_arns" {
  description = "SageMaker execution role ARN by team (the guardrail policy attached)."
  value       = { for team, role in aws_iam_role.team : team => role.arn }
}

output "notebook_user_policy_arns" {
  description = "By team, the managed policy to attach to the team's people (and only theirs): open, start and stop its notebook through the environment's endpoints or console networks only."
  value       = { for team, policy in aws_iam_policy.notebook_user : team => policy.arn }
}

output "work_name_prefixes" {
  description = "By team, what the names of its training, processing, tuning and transform jobs and its models must start with (<name_prefix>-<team>-, lower-case); creates must also carry the tag team=<team>."
  value       = { for team, t in local.teams : team => t.work_prefix }
}
