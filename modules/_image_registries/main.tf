# Internal part, not a unit: the AWS-owned ECR registries SageMaker's images come from, in one
# region, read from aws_registries.json (sourced and dated there). The roles that pull images
# (team execution roles, the endpoint's model role) may pull from these, their own account and
# nothing else; src/smenv/promotion reads the same file to tell an AWS-owned image from a custom one.

locals {
  data       = jsondecode(file("${path.module}/aws_registries.json"))
  registries = lookup(local.data.regions, var.region, null)
}
