output "data_buckets" {
  description = "Data bucket name by team."
  value       = { for t in var.teams : t => aws_s3_bucket.team["data-${t}"].id }
}

output "model_buckets" {
  description = "Model bucket name by team."
  value       = { for t in var.teams : t => aws_s3_bucket.team["model-${t}"].id }
}

output "data_bucket_arns" {
  description = "Data bucket ARN by team."
  value       = { for t in var.teams : t => aws_s3_bucket.team["data-${t}"].arn }
}

output "model_bucket_arns" {
  description = "Model bucket ARN by team."
  value       = { for t in var.teams : t => aws_s3_bucket.team["model-${t}"].arn }
}

output "access_log_bucket" {
  description = "The environment's S3 server access-log bucket."
  value       = aws_s3_bucket.access_logs.id
}
