"""What every tool shares: the repository, the environment loader, AWS sessions and clients."""
