"""`python tools/emulator.py ...`: runs smenv.live.emulator (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.live.emulator import main

if __name__ == "__main__":
    raise SystemExit(main())
