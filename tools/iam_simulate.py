"""`python tools/iam_simulate.py ...`: runs smenv.checks.iam_simulate (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.checks.iam_simulate import main

if __name__ == "__main__":
    raise SystemExit(main())
