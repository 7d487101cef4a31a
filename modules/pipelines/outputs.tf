output "execution_role_arns" {
  description = "Pipeline execution role ARN by team: pass it to CreatePipeline and as each step's RoleArn (contract teams/<team>/pipeline_execution_role_arn)."
  value       = { for team, role in aws_iam_role.pipeline : team => role.arn }
}

output "execution_role_names" {
  description = "Pipeline execution role name by team (<name_prefix>-<team>-pipeline)."
  value       = { for team, role in aws_iam_role.pipeline : team => role.name }
}

output "model_package_group_names" {
  description = "Model package group name by team (<name_prefix>-<team>-models), where the team's pipelines register models (contract teams/<team>/model_package_group)."
  value       = { for team, group in aws_sagemaker_model_package_group.team : team => group.model_package_group_name }
}
