output "json" {
  description = "The policy document (JSON): compose it with source_policy_documents."
  value       = data.aws_iam_policy_document.this.json
}

output "registries_known" {
  description = "Whether there is an image allow-list: job_image_registries was given, or modules/_image_registries knows the region's AWS-owned registries. Callers refuse to plan without one."
  value       = var.job_image_registries != null || module.aws_registries.known
}
