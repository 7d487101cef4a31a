"""`python tools/sweep.py ...`: runs smenv.sweep.sweep (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.sweep.sweep import main

if __name__ == "__main__":
    raise SystemExit(main())
