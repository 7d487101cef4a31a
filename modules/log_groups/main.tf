# SageMaker writes to these fixed names. Made here first, they are KMS-encrypted and retained for
# a set time; left to SageMaker, they would be created unencrypted and kept forever.
locals {
  log_groups = toset(concat(
    [
      "/aws/sagemaker/NotebookInstances",
      "/aws/sagemaker/TrainingJobs",
      "/aws/sagemaker/ProcessingJobs",
      "/aws/sagemaker/TransformJobs",
      "/aws/sagemaker/studio", # Studio's apps and spaces (modules/studio)
    ],
    [for name in var.endpoint_names : "/aws/sagemaker/Endpoints/${name}"],
  ))
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_groups

  name              = each.key
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}
