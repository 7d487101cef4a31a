//go:build tools

// Package tools pins the Terragrunt build: tools/bootstrap.py runs
// `go build github.com/gruntwork-io/terragrunt` in this module so that the
// go.sum beside it verifies every downloaded module.
package tools

import _ "github.com/gruntwork-io/terragrunt"
