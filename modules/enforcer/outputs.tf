output "function_name" {
  description = "The enforcer Lambda."
  value       = module.function.function_name
}

output "function_arn" {
  description = "The enforcer Lambda's ARN."
  value       = module.function.function_arn
}

output "findings_topic_arn" {
  description = "SNS topic of findings (one message per violating resource)."
  value       = aws_sns_topic.findings.arn
}

output "alarms_topic_arn" {
  description = "SNS topic of the enforcer's own alarms (errors, throttles, dead letters)."
  value       = aws_sns_topic.alarms.arn
}

output "dead_letter_queue_url" {
  description = "Events that could not be enforced, kept 14 days for a replay."
  value       = aws_sqs_queue.dead_letters.id
}

output "event_rule_names" {
  description = "EventBridge rules that trigger the enforcer."
  value       = [for rule in aws_cloudwatch_event_rule.this : rule.name]
}

output "markers_key_arn" {
  description = "The enforcer's KMS HMAC key: only its role makes and checks the MAC of its smenv:enforcer marker."
  value       = aws_kms_key.markers.arn
}
