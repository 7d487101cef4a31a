"""`python tools/graph.py ...`: runs smenv.docs.graph (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.docs.graph import main

if __name__ == "__main__":
    raise SystemExit(main())
