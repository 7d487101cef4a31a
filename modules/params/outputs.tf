output "parameter_names" {
  description = "Every parameter published, sorted."
  value       = sort(concat([for p in aws_ssm_parameter.value : p.name], [for p in aws_ssm_parameter.list : p.name]))
}
