"""`python tools/model_package_leftovers.py ...`: runs smenv.sweep.model_package_leftovers (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.sweep.model_package_leftovers import main

if __name__ == "__main__":
    raise SystemExit(main())
