output "role_arn" {
  description = "The promotion role promote_model assumes (--target-role-arn); publish it as promotion/role_arn in the contract."
  value       = aws_iam_role.promotion.arn
}

output "role_name" {
  description = "The promotion role's name (<name_prefix>-promotion)."
  value       = aws_iam_role.promotion.name
}

output "model_package_group_name" {
  description = "The model package group promoted packages are registered in; publish it as promotion/model_package_group."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}

output "model_package_group_arn" {
  description = "The model package group's ARN."
  value       = aws_sagemaker_model_package_group.this.arn
}

output "policy_json" {
  description = "The role's inline policy, as planned (for review and policy tests)."
  value       = data.aws_iam_policy_document.promotion.json
}

output "image_repository_prefix" {
  description = "Where promote_model copies source-account images: ECR repositories <name_prefix>-promoted/<source repository> in this account and region (the role may push there only). The endpoints' model roles must be allowed to pull from them."
  value       = "${var.name_prefix}-promoted"
}
