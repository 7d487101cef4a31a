output "trail_arn" {
  description = "ARN of the management-event trail."
  value       = aws_cloudtrail.this.arn
}

output "trail_name" {
  description = "Name of the trail."
  value       = aws_cloudtrail.this.name
}

output "bucket" {
  description = "The bucket the log files go to."
  value       = aws_s3_bucket.trail.bucket
}

output "log_group_name" {
  description = "The CloudWatch Logs copy of the trail."
  value       = aws_cloudwatch_log_group.trail.name
}

output "deliveries_topic_arn" {
  description = "SNS topic with a notice per delivered log file (subscribe a SIEM here)."
  value       = aws_sns_topic.deliveries.arn
}
