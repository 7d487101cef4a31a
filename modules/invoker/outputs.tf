output "function_name" {
  description = "The invoker Lambda."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "The invoker Lambda's ARN."
  value       = aws_lambda_function.this.arn
}

output "function_url" {
  description = "The function URL (AWS_IAM authorisation: callers sign with SigV4)."
  value       = aws_lambda_function_url.this.function_url
}

output "role_arn" {
  description = "The function's role: sagemaker:InvokeEndpoint on the one endpoint, and nothing else on SageMaker."
  value       = aws_iam_role.function.arn
}

output "function_timeout_seconds" {
  description = "The function's timeout: the longest a caller waits for an answer. An API Gateway integration in front of it needs a longer timeout, or a lower read_timeout_seconds."
  value       = aws_lambda_function.this.timeout
}
