output "function_name" {
  description = "The function's name."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "The function's ARN."
  value       = aws_lambda_function.this.arn
}

output "timeout" {
  description = "The function's timeout, in seconds."
  value       = aws_lambda_function.this.timeout
}

output "role_name" {
  description = "The function's role: attach or add the caller's other policies to it by name."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "The function's role's ARN (a key or resource policy naming it depends on the role alone, not on the function)."
  value       = aws_iam_role.this.arn
}
