terraform {
  # Terraform >= 1.6 and OpenTofu >= 1.8 (OpenTofu reports its own version here). No provider: data only.
  required_version = ">= 1.6"
}
