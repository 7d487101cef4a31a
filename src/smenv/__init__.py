"""smenv: the project's Python tooling, by concern. `tools/*.py` are the entry points users run."""
