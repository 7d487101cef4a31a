module smenv.local/toolchain/terraform-docs

go 1.23.0

require github.com/terraform-docs/terraform-docs v0.20.0
