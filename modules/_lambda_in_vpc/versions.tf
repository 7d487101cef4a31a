terraform {
  # Terraform >= 1.6 and OpenTofu >= 1.8 (OpenTofu reports its own version here).
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}
