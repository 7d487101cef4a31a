"""Environments on the emulator and in AWS: the emulator and its patches, apply/plan/destroy, the state bucket."""
