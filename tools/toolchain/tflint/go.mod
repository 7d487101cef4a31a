module smenv.local/toolchain/tflint

go 1.26.3

require github.com/terraform-linters/tflint v0.64.0
