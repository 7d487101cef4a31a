# tflint's built-in Terraform ruleset, every rule (the AWS ruleset is not served by the Go module
# proxy here). Run by tools/validate.py for each module.
config {
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
