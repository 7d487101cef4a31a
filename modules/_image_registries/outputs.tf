output "known" {
  description = "Whether aws_registries.json lists this region; when false, account_ids is empty and callers must name registries themselves."
  value       = local.registries != null
}

output "account_ids" {
  description = "The AWS accounts of the region's Deep Learning Containers and SageMaker framework-image registries (sorted, no duplicates); empty for an unknown region."
  value       = local.registries == null ? [] : sort(distinct(values(local.registries)))
}

output "deep_learning_containers_account_id" {
  description = "The region's AWS Deep Learning Containers registry account (pytorch-training, tensorflow-inference, huggingface-..., ...), or null."
  value       = try(local.registries.deep_learning_containers, null)
}

output "sagemaker_framework_images_account_id" {
  description = "The region's SageMaker framework and built-in algorithm registry account (sagemaker-scikit-learn, sagemaker-xgboost, ...), or null."
  value       = try(local.registries.sagemaker_framework_images, null)
}

output "checked" {
  description = "The date the list was last checked against AWS's documentation (YYYY-MM-DD)."
  value       = local.data.checked
}
