output "log_group_names" {
  description = "Every log group made, sorted."
  value       = sort([for g in aws_cloudwatch_log_group.this : g.name])
}

output "log_group_arns" {
  description = "Log group ARN by name."
  value       = { for name, g in aws_cloudwatch_log_group.this : name => g.arn }
}
