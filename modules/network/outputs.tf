output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "The VPC's CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets, in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "private_route_table_id" {
  description = "The private subnets' route table."
  value       = aws_route_table.private.id
}

output "sagemaker_security_group_id" {
  description = "The shared security group, for the SageMaker models the platform deploys (modules/endpoint); teams' notebooks and jobs run in team_security_group_ids."
  value       = aws_security_group.sagemaker["platform"].id
}

output "team_security_group_ids" {
  description = "Security group of each team's SageMaker notebooks and jobs, by team (var.teams): each admits its own members only."
  value       = { for team in var.teams : team => aws_security_group.sagemaker["team-${team}"].id }
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints."
  value       = aws_security_group.endpoints.id
}

output "s3_vpc_endpoint_id" {
  description = "The S3 gateway endpoint (bucket policies require requests to come through it)."
  value       = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  description = "The S3 prefix list the SageMaker security groups may reach."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "interface_endpoint_ids" {
  description = "Interface endpoint ID by service name."
  value       = { for name, endpoint in aws_vpc_endpoint.interface : name => endpoint.id }
}

output "flow_log_group_name" {
  description = "CloudWatch log group holding the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "dns_firewall_allowed_domains" {
  description = "The names the DNS Firewall answers (every other name is blocked, or only alerted on in alert mode); empty when it is off."
  value       = local.dns_firewall ? local.allowed_domains : []
}
