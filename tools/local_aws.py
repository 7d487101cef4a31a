"""`python tools/local_aws.py ...`: runs smenv.live.local_aws (its docstring says how)."""

import venv_guard  # noqa: F401  (first: re-runs this command in .venv when a package is missing)

# isort: split
from smenv.live.local_aws import main

if __name__ == "__main__":
    raise SystemExit(main())
