output "function_name" {
  description = "The invoker Lambda."
  value       = module.function.function_name
}

output "function_arn" {
  description = "The invoker Lambda's ARN."
  value       = module.function.function_arn
}

output "function_url" {
  description = "The function URL (AWS_IAM authorisation: callers sign with SigV4)."
  value       = aws_lambda_function_url.this.function_url
}

output "role_arn" {
  description = "The function's role: sagemaker:InvokeEndpoint on the one endpoint, and nothing else on SageMaker."
  value       = module.function.role_arn
}

output "function_timeout_seconds" {
  description = "The function's timeout: the longest a caller waits for an answer. An API Gateway integration in front of it needs a longer timeout, or a lower read_timeout_seconds."
  value       = module.function.timeout
}
