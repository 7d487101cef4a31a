//go:build tools

// Package tools pins the OpenTofu build: tools/bootstrap.py runs
// `go build github.com/opentofu/opentofu/cmd/tofu` in this module so that the
// go.sum beside it verifies every downloaded module.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
