"""`python tools/package_lambda.py ...`: runs smenv.build.package_lambda (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.build.package_lambda import main

if __name__ == "__main__":
    raise SystemExit(main())
