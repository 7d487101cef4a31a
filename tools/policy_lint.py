"""`python tools/policy_lint.py ...`: runs smenv.checks.policy_lint (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.checks.policy_lint import main

if __name__ == "__main__":
    raise SystemExit(main())
