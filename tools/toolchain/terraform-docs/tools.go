//go:build tools

// Package tools pins the terraform-docs build: tools/bootstrap.py runs `go build github.com/terraform-docs/terraform-docs` in this
// module so that the go.sum beside it verifies every downloaded module.
package tools

import _ "github.com/terraform-docs/terraform-docs"
