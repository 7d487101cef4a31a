"""`python tools/demo_enforcer.py ...`: runs smenv.live.demo_enforcer (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.live.demo_enforcer import main

if __name__ == "__main__":
    raise SystemExit(main())
