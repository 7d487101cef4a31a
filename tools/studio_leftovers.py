"""`python tools/studio_leftovers.py ...`: runs smenv.sweep.studio_leftovers (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.sweep.studio_leftovers import main

if __name__ == "__main__":
    raise SystemExit(main())
