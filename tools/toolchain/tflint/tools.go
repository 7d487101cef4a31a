//go:build tools

// Package tools pins the tflint build: tools/bootstrap.py runs `go build github.com/terraform-linters/tflint` in this
// module so that the go.sum beside it verifies every downloaded module.
package tools

import _ "github.com/terraform-linters/tflint"
