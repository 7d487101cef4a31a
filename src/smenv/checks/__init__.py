"""The checks CI runs: validate, policy lint, checkov skips, the IAM evaluator, the access matrix."""
