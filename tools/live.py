"""`python tools/live.py ...`: runs smenv.live.live (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.live.live import main

if __name__ == "__main__":
    raise SystemExit(main())
