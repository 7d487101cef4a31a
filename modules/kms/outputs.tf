output "key_arns" {
  description = "Key ARN by purpose."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.arn }
}

output "key_ids" {
  description = "Key ID by purpose."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.key_id }
}

output "alias_names" {
  description = "Alias name (alias/<name_prefix>-<purpose>) by purpose."
  value       = { for purpose, alias in aws_kms_alias.this : purpose => alias.name }
}
