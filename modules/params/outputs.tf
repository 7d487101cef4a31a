output "parameter_names" {
  description = "Every parameter published, sorted."
  value       = sort([for p in aws_ssm_parameter.this : p.name])
}
