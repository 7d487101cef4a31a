output "endpoint_name" {
  description = "The SageMaker endpoint."
  value       = local.endpoint.name
}

output "endpoint_arn" {
  description = "The SageMaker endpoint's ARN (what an invoker may call)."
  value       = local.endpoint.arn
}

output "endpoint_config_name" {
  description = "The endpoint configuration in service."
  value       = aws_sagemaker_endpoint_configuration.this.name
}

output "model_names" {
  description = "Model name by variant (production, shadow)."
  value       = { for variant, model in aws_sagemaker_model.this : variant => model.name }
}

output "execution_role_arn" {
  description = "The role the models run as (the guardrail policy attached)."
  value       = aws_iam_role.model.arn
}

output "data_capture_uri" {
  description = "Where requests and responses are captured (provisioned; null when capture is off)."
  value       = local.provisioned && var.data_capture.enabled ? local.capture_uri : null
}
