module smenv.local/toolchain/terragrunt

go 1.21

require github.com/gruntwork-io/terragrunt v0.58.0

replace github.com/hashicorp/vault => github.com/hashicorp/vault v1.4.2
