"""`python tools/promote_model.py ...`: runs smenv.promotion.promote_model (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.promotion.promote_model import main

if __name__ == "__main__":
    raise SystemExit(main())
