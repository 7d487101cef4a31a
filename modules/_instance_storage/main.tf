# Internal part, not a unit: the one list of SageMaker instance families with local NVMe instance
# storage, read from instance_storage.json (sourced and dated there). SageMaker refuses a volume
# KMS key on those types (their instance storage is encrypted by a hardware module), so the
# guardrails, the enforcer and the endpoint module all ask this module which types they are.

locals {
  data     = jsondecode(file("${path.module}/instance_storage.json"))
  families = sort(local.data.local_storage_families)
}
