"""What Terraform does not manage: find it, stop it, delete it before a destroy (tools/sweep.py)."""
