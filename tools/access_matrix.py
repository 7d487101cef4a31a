"""`python tools/access_matrix.py ...`: runs smenv.checks.access_matrix (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.checks.access_matrix import main

if __name__ == "__main__":
    raise SystemExit(main())
