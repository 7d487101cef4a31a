output "domain_ids" {
  description = "By team, its Studio domain's id (d-...): each team has its own domain and home file system."
  value       = { for team, domain in aws_sagemaker_domain.team : team => domain.id }
}

output "domain_arns" {
  description = "By team, its Studio domain's ARN."
  value       = { for team, domain in aws_sagemaker_domain.team : team => domain.arn }
}

output "user_profile_names" {
  description = "By team, its Studio user profile (<team>-studio): runs as the team's execution role, in the team's security group."
  value       = { for team, profile in aws_sagemaker_user_profile.team : team => profile.user_profile_name }
}

output "space_names" {
  description = "By team, its private space (<team>-private), owned by the team's profile."
  value       = { for team, space in aws_sagemaker_space.team : team => space.space_name }
}

output "studio_user_policy_arns" {
  description = "By team, the managed policy to attach to the team's people (and only theirs): open the team's Studio profile through the environment's endpoints or console networks only."
  value       = { for team, policy in aws_iam_policy.studio_user : team => policy.arn }
}

output "lifecycle_config_arns" {
  description = "By app type (JupyterLab, CodeEditor), the domain's lifecycle configuration: the default and the only one its users may pick."
  value       = { for app, config in aws_sagemaker_studio_lifecycle_config.app : app => config.arn }
}
