output "json" {
  description = "The policy document: compose it with the team's other statements (source_policy_documents)."
  value       = data.aws_iam_policy_document.this.json
}
