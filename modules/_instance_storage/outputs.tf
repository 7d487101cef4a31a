output "local_storage_families" {
  description = "Instance families (the <family> of ml.<family>.<size>) with local NVMe instance storage, on which SageMaker refuses a volume KMS key."
  value       = local.families
}

output "instance_type_patterns" {
  description = "The same families as IAM StringLike patterns for sagemaker:InstanceTypes (ml.<family>.*)."
  value       = [for family in local.families : "ml.${family}.*"]
}

output "checked" {
  description = "The date the list was last checked against AWS's documentation (YYYY-MM-DD)."
  value       = local.data.checked
}

output "all_instance_type_patterns" {
  description = "Every SageMaker instance family known on the list's date (local storage or not), as IAM StringLike patterns (ml.<family>.*)."
  value       = [for family in sort(concat(local.data.local_storage_families, local.data.ebs_only_families)) : "ml.${family}.*"]
}
