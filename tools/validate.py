"""`python tools/validate.py ...`: runs smenv.checks.validate (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.checks.validate import main

if __name__ == "__main__":
    raise SystemExit(main())
